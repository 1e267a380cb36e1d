/**
 * Who a connection is, without its secrets: the keyed digest every key of this package is made with,
 * the pool key of a connection, a description safe to log, and the list of its secrets (to scrub
 * messages). The pool key and the secret list are derived from the one list of setting names.
 */
import * as crypto from 'node:crypto'
import { randomBytes } from 'node:crypto'
import { formatBrokers } from './brokers'
import type { ConnectionSettings } from './settings'
import { SECRET_SETTINGS, SETTING_NAMES, type SettingName } from './settings-fields'

/*
 * Keys of pools and caches are SHA-256 digests salted with a per-process random secret rather than bare
 * SHA-256: as stable within the process, but a key that reached a log could not be used to guess a
 * short password offline.
 */
const SALT = randomBytes(16).toString('hex')

/** crypto.hash (one call, no Hash object) is in Node >= 20.12; older 20.x take the long way. */
const sha256: (text: string, encoding: 'hex' | 'base64') => string =
  typeof crypto.hash === 'function'
    ? (text, encoding) => crypto.hash('sha256', text, encoding)
    : (text, encoding) => crypto.createHash('sha256').update(text).digest(encoding)

/** The salted digest every key of this package is made with (see above). */
export function keyedDigest(text: string, encoding: 'hex' | 'base64' = 'hex'): string {
  return sha256(SALT + text, encoding)
}

/**
 * Where each setting's normalised value is in ConnectionSettings. Typed by the list of setting names:
 * a new setting does not compile until it says how it takes part in a connection's identity.
 */
const VALUE_OF: { [K in SettingName]: (c: ConnectionSettings) => string | boolean | undefined } = {
  brokers: (c) => formatBrokers(c.brokers, ','),
  clientId: (c) => c.clientId,
  mechanism: (c) => c.mechanism,
  username: (c) => c.username,
  password: (c) => c.password,
  accessKeyId: (c) => c.accessKeyId,
  secretAccessKey: (c) => c.secretAccessKey,
  sessionToken: (c) => c.sessionToken,
  authorizationIdentity: (c) => c.authorizationIdentity,
  awsRegion: (c) => c.region,
  oauth_token_endpoint: (c) => c.oauth?.tokenEndpoint,
  oauth_client_id: (c) => c.oauth?.clientId,
  oauth_client_secret: (c) => c.oauth?.clientSecret,
  oauth_scope: (c) => c.oauth?.scope,
  oauth_extensions: (c) => (c.oauth ? JSON.stringify(c.oauth.extensions) : undefined),
  oauth_client_auth: (c) => c.oauth?.clientAuth,
  ssl_enabled: (c) => c.ssl.enabled,
  ssl_ca: (c) => c.ssl.ca,
  ssl_cert: (c) => c.ssl.cert,
  ssl_key: (c) => c.ssl.key,
  ssl_reject_unauthorized_ca: (c) => c.ssl.rejectUnauthorized,
  idempotent: (c) => c.idempotent !== false,
  // The registry is part of what a tenant's settings are, so it takes part like the rest.
  schema_registry_url: (c) => c.registry?.url,
  schema_registry_username: (c) => c.registry?.username,
  schema_registry_password: (c) => c.registry?.password,
  schema_registry_ca: (c) => c.registry?.ca
}

/** Identifies a connection (the pool's key): same settings, same key; never contains a secret. */
export function connectionKey(c: ConnectionSettings): string {
  return keyedDigest(JSON.stringify(SETTING_NAMES.map((name) => VALUE_OF[name](c) ?? null)))
}

/** e.g. `scram-sha-512 as "alice" to 10.0.0.1:9093, b2:9093 over TLS (custom CA) as client "x"`. No secrets. */
export function describeConnection(c: ConnectionSettings): string {
  const who =
    c.mechanism === 'none'
      ? 'no authentication'
      : c.mechanism === 'client-cert-auth'
        ? 'client certificate'
        : c.mechanism === 'aws'
          ? `aws as "${c.accessKeyId ?? ''}"`
          : c.mechanism === 'oauthbearer'
            ? `oauthbearer as client "${c.oauth?.clientId ?? ''}" (token endpoint ${c.oauth?.tokenEndpoint ?? ''})`
            : `${c.mechanism} as "${c.username ?? ''}"`
  const tlsText = c.ssl.enabled
    ? `TLS (${[c.ssl.ca ? 'custom CA' : 'public CAs', c.ssl.rejectUnauthorized ? 'verified' : 'NOT verified'].join(', ')})`
    : 'plaintext'
  return `${who} to ${formatBrokers(c.brokers)} over ${tlsText}, client id "${c.clientId}"`
}

/** Every secret of the settings, for scrubbing messages that might echo one. */
export function secretsOf(c: ConnectionSettings | undefined): string[] {
  if (!c) return []
  return SECRET_SETTINGS.map((name) => VALUE_OF[name](c)).filter(
    (s): s is string => typeof s === 'string' && s.length >= 4
  )
}

/** Replaces any secret of the settings found in a message (defence in depth: none is expected). */
export function redact(message: string, settings?: ConnectionSettings): string {
  let text = message
  for (const s of secretsOf(settings)) text = text.split(s).join('[redacted]')
  return text
}
