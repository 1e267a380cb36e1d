/**
 * The destination's settings: the fields shown to the user (`authentication.fields`), and their
 * validation and normalisation into `ConnectionSettings`, the one shape the rest of the code reads.
 * The runtime does not apply the defaults of settings fields, so they are applied here.
 */
import { isIPv6 } from 'node:net'
import { IntegrationError, type GlobalSetting } from '@segment/actions-core'

export const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'aws', 'client-cert-auth', 'none'] as const
export type Mechanism = (typeof MECHANISMS)[number]

/** Settings as the runtime passes them: any field may be missing, and defaults are not applied. */
export interface Settings {
  brokers: string
  clientId?: string
  mechanism?: string
  username?: string
  password?: string
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  authorizationIdentity?: string
  awsRegion?: string
  ssl_enabled?: boolean | string
  ssl_ca?: string
  ssl_cert?: string
  ssl_key?: string
  ssl_reject_unauthorized_ca?: boolean | string
  idempotent?: boolean | string
}

export interface SslSettings {
  enabled: boolean
  /** PEM text as given (normalised later, in client-config.ts). */
  ca?: string
  cert?: string
  key?: string
  rejectUnauthorized: boolean
}

/** Validated settings with defaults applied. Secrets are kept as given: never log this object. */
export interface ConnectionSettings {
  brokers: string[]
  clientId: string
  mechanism: Mechanism
  username?: string
  password?: string
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  authorizationIdentity?: string
  /** The awsRegion setting, lower-cased (mechanism aws; otherwise read from MSK host names). */
  region?: string
  ssl: SslSettings
  /** kafkajs's idempotent producer (acks all, one request in flight per connection). */
  idempotent?: boolean
}

export const DEFAULTS = {
  clientId: 'segment-actions-kafka-producer',
  mechanism: 'plain' as Mechanism,
  ssl_enabled: true,
  ssl_reject_unauthorized_ca: true,
  idempotent: false
}

const SASL_USER_MECHANISMS: Mechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512']

const showFor = (...mechanisms: Mechanism[]): GlobalSetting['depends_on'] => ({
  match: 'any',
  conditions: mechanisms.map((value) => ({ fieldKey: 'mechanism', operator: 'is' as const, value }))
})

/**
 * `clientId` and `mechanism` always have a value, but are not marked `required`: the runtime
 * rejects settings that lack a required field before the destination sees them, and it does not
 * fill in setting defaults, so a saved configuration without them would fail every event. They are
 * defaulted in normaliseSettings instead.
 */
export const settingsFields: Record<string, GlobalSetting> = {
  brokers: {
    label: 'Brokers',
    description:
      'Bootstrap brokers as a comma-separated list of host:port, e.g. `broker-1.example.com:9092,broker-2.example.com:9092`. IPv6 addresses go in brackets: `[2001:db8::1]:9092`.',
    type: 'string',
    required: true
  },
  clientId: {
    label: 'Client ID',
    description: 'The client ID the producer announces to Kafka (visible in broker logs and quotas).',
    type: 'string',
    default: DEFAULTS.clientId
  },
  mechanism: {
    label: 'Authentication Mechanism',
    description:
      'How to authenticate. PLAIN and SCRAM use Username and Password; Client Certificate uses the SSL Client Certificate and Key; AWS IAM uses an access key; None is for clusters without authentication.',
    type: 'string',
    default: DEFAULTS.mechanism,
    choices: [
      { label: 'PLAIN', value: 'plain' },
      { label: 'SCRAM-SHA-256', value: 'scram-sha-256' },
      { label: 'SCRAM-SHA-512', value: 'scram-sha-512' },
      { label: 'AWS IAM (MSK)', value: 'aws' },
      { label: 'Client Certificate (mutual TLS)', value: 'client-cert-auth' },
      { label: 'None', value: 'none' }
    ]
  },
  username: {
    label: 'Username',
    description: 'The SASL username (PLAIN or SCRAM).',
    type: 'string',
    depends_on: showFor(...SASL_USER_MECHANISMS)
  },
  password: {
    label: 'Password',
    description: 'The SASL password (PLAIN or SCRAM).',
    type: 'password',
    depends_on: showFor(...SASL_USER_MECHANISMS)
  },
  accessKeyId: {
    label: 'AWS Access Key ID',
    description: 'The access key ID of the IAM identity allowed to write to the MSK cluster.',
    type: 'string',
    depends_on: showFor('aws')
  },
  secretAccessKey: {
    label: 'AWS Secret Key',
    description: 'The secret access key that goes with the access key ID.',
    type: 'password',
    depends_on: showFor('aws')
  },
  sessionToken: {
    label: 'AWS Session Token',
    description: 'Only for temporary credentials (an access key ID starting with ASIA): their session token.',
    type: 'password',
    depends_on: showFor('aws')
  },
  authorizationIdentity: {
    label: 'AWS Authorization Identity',
    description:
      'Optional IAM role ARN (`arn:aws:iam::<account>:role/<name>`) to assume with the access key before connecting.',
    type: 'string',
    depends_on: showFor('aws')
  },
  awsRegion: {
    label: 'AWS Region',
    description:
      'The AWS region of the MSK cluster, e.g. `us-east-1`. Needed only when the broker host names do not say it (MSK names look like `b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com`).',
    type: 'string',
    depends_on: showFor('aws')
  },
  ssl_enabled: {
    label: 'SSL Enabled',
    description:
      'Connect over TLS. Turn off only for brokers that listen in plaintext. Always on for Client Certificate.',
    type: 'boolean',
    default: DEFAULTS.ssl_enabled
  },
  ssl_ca: {
    label: 'SSL Certificate Authority',
    description:
      'PEM certificate(s) of the CA that signed the brokers’ certificates, if it is not a public CA. The full PEM, or its body without the BEGIN/END lines. It is added to the standard public CAs.',
    type: 'string'
  },
  ssl_cert: {
    label: 'SSL Client Certificate',
    description:
      'The client certificate in PEM (the full PEM or its body without the BEGIN/END lines); may include intermediate certificates after it.',
    type: 'string',
    depends_on: showFor('client-cert-auth')
  },
  ssl_key: {
    label: 'SSL Client Key',
    description:
      'The unencrypted private key of the client certificate in PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`); the full PEM or its body.',
    type: 'password',
    depends_on: showFor('client-cert-auth')
  },
  ssl_reject_unauthorized_ca: {
    label: 'SSL - Reject Unauthorized Certificate Authority',
    description: 'Verify the brokers’ certificates (CA and host name). Turning this off is unsafe outside of testing.',
    type: 'boolean',
    default: DEFAULTS.ssl_reject_unauthorized_ca
  },
  idempotent: {
    label: 'Idempotent Delivery',
    description:
      'Turn on the idempotent producer: the brokers drop the copies that retries inside the producer would write. Every request then waits for all in-sync replicas (acks all, whatever the mapping says) and one request is in flight per broker connection. Experimental in kafkajs: see the README before turning it on.',
    type: 'boolean',
    default: DEFAULTS.idempotent
  }
}

/** One `host:port` entry of the brokers list, as kafkajs-independent data. */
export interface BrokerAddress {
  host: string
  port: number
  ipv6: boolean
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i

/** Parses one trimmed broker entry; returns why it is invalid as a string. */
export function parseBroker(entry: string): BrokerAddress | string {
  if (/^[a-z][a-z0-9+_-]*:\/\//i.test(entry)) return 'remove the protocol prefix, only host:port is expected'
  let host: string
  let portText: string
  let ipv6 = false
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry)
  if (bracketed) {
    host = bracketed[1].toLowerCase()
    if (bracketed[2] === undefined) return 'missing port (expected [address]:port)'
    portText = bracketed[2]
    if (!isIPv6(host)) return 'not a valid IPv6 address in brackets'
    ipv6 = true
  } else {
    const colon = entry.lastIndexOf(':')
    if (colon === -1) return 'missing port (expected host:port)'
    host = entry.slice(0, colon)
    portText = entry.slice(colon + 1)
    if (host.includes(':')) return 'IPv6 addresses must be written in brackets, e.g. [::1]:9092'
    if (!host) return 'missing host'
    if (!HOSTNAME.test(host)) return 'not a valid host name or IP address'
    host = host.toLowerCase()
  }
  if (!/^\d{1,5}$/.test(portText)) return 'the port must be a number'
  const port = Number(portText)
  if (port < 1 || port > 65535) return 'the port must be between 1 and 65535'
  return { host, port, ipv6 }
}

export function formatBroker(b: BrokerAddress): string {
  return b.ipv6 ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`
}

/** Splits, trims and de-duplicates the brokers list; every invalid entry is reported. */
export function parseBrokers(raw: unknown): { brokers: string[]; problems: string[] } {
  if (typeof raw !== 'string' || !raw.trim()) return { brokers: [], problems: ['brokers is required (host:port, ...)'] }
  const brokers: string[] = []
  const invalid: string[] = []
  for (const entry of raw.split(/[,\s]+/)) {
    if (!entry) continue
    const parsed = parseBroker(entry)
    if (typeof parsed === 'string') invalid.push(`"${entry}" (${parsed})`)
    else if (!brokers.includes(formatBroker(parsed))) brokers.push(formatBroker(parsed))
  }
  if (invalid.length) return { brokers, problems: [`brokers has invalid entries: ${invalid.join(', ')}`] }
  if (!brokers.length) return { brokers, problems: ['brokers is required (host:port, ...)'] }
  return { brokers, problems: [] }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined

/** Secrets are kept exactly as typed (only an empty value counts as missing). */
const secret = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

function bool(name: string, value: unknown, fallback: boolean, problems: string[]): boolean {
  if (value === undefined || value === null || value === '') return fallback
  if (typeof value === 'boolean') return value
  if (value === 'true') return true
  if (value === 'false') return false
  problems.push(`${name} must be true or false`)
  return fallback
}

export class SettingsError extends IntegrationError {
  constructor(readonly problems: string[]) {
    super(`Invalid settings: ${problems.join('; ')}.`, 'INVALID_SETTINGS', 400)
  }
}

/** Applies defaults and validates; throws one SettingsError (400) naming every problem. */
export function normaliseSettings(raw: Settings): ConnectionSettings {
  const r = (raw ?? {}) as Partial<Settings>
  const problems: string[] = []
  const { brokers, problems: brokerProblems } = parseBrokers(r.brokers)
  problems.push(...brokerProblems)

  const mechanismText = text(r.mechanism)?.toLowerCase() ?? DEFAULTS.mechanism
  const mechanism = MECHANISMS.find((m) => m === mechanismText)
  if (!mechanism) problems.push(`mechanism "${text(r.mechanism)}" is not one of ${MECHANISMS.join(', ')}`)

  const c: ConnectionSettings = {
    brokers,
    clientId: text(r.clientId) ?? DEFAULTS.clientId,
    mechanism: mechanism ?? DEFAULTS.mechanism,
    ssl: {
      enabled: bool('ssl_enabled', r.ssl_enabled, DEFAULTS.ssl_enabled, problems),
      rejectUnauthorized: bool(
        'ssl_reject_unauthorized_ca',
        r.ssl_reject_unauthorized_ca,
        DEFAULTS.ssl_reject_unauthorized_ca,
        problems
      )
    }
  }
  // Set only when on, so settings without it normalise as they always did.
  if (bool('idempotent', r.idempotent, DEFAULTS.idempotent, problems)) c.idempotent = true
  const ca = text(r.ssl_ca)
  const cert = text(r.ssl_cert)
  const key = text(r.ssl_key)
  if (ca) c.ssl.ca = ca
  if (cert) c.ssl.cert = cert
  if (key) c.ssl.key = key

  const missing: string[] = []
  if (mechanism && SASL_USER_MECHANISMS.includes(mechanism)) {
    c.username = text(r.username)
    c.password = secret(r.password)
    if (!c.username) missing.push('username')
    if (!c.password) missing.push('password')
  } else if (mechanism === 'aws') {
    c.accessKeyId = text(r.accessKeyId)
    c.secretAccessKey = secret(r.secretAccessKey)
    const sessionToken = secret(r.sessionToken)
    if (sessionToken) c.sessionToken = sessionToken
    const identity = text(r.authorizationIdentity)
    if (identity) c.authorizationIdentity = identity
    const region = text(r.awsRegion)?.toLowerCase()
    if (region) c.region = region
    if (!c.accessKeyId) missing.push('accessKeyId')
    if (!c.secretAccessKey) missing.push('secretAccessKey')
  } else if (mechanism === 'client-cert-auth') {
    // Client certificates are a TLS feature: TLS is on whatever ssl_enabled says.
    c.ssl.enabled = true
    if (!cert) missing.push('ssl_cert')
    if (!key) missing.push('ssl_key')
  }
  if (missing.length) problems.push(`mechanism ${mechanism} requires ${missing.join(' and ')}`)
  if (!c.ssl.enabled && (ca || cert || key) && mechanism !== 'client-cert-auth') {
    // Certificates given while TLS is off are almost always a forgotten switch; say so rather than ignore them.
    problems.push('ssl_ca, ssl_cert or ssl_key is set but ssl_enabled is false')
  }
  if ((cert && !key) || (key && !cert)) {
    if (mechanism !== 'client-cert-auth') problems.push('ssl_cert and ssl_key must be given together')
  }
  if (problems.length) throw new SettingsError(problems)
  return c
}
