/**
 * ConnectionSettings -> kafkajs KafkaConfig (SASL, TLS, PEM), without connecting; plus the
 * connection key used by caches and pools, and a description of a connection that is safe to log.
 */
import * as crypto from 'node:crypto'
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto'
import * as net from 'node:net'
import * as tls from 'node:tls'
import { IntegrationError } from '@segment/actions-core'
import { logLevel, type ISocketFactory, type KafkaConfig, type Mechanism, type SASLOptions } from 'kafkajs'
import { awsIamSasl } from './aws-iam'
import { normaliseCertificates, normalisePrivateKey } from './pem'
import type { ConnectionSettings } from './settings'

export { normaliseCertificates, normalisePrivateKey } from './pem'

/** kafkajs's default is 1 s, too short for a TLS handshake with a distant cloud broker. */
export const CONNECTION_TIMEOUT_MS = 5000
/**
 * How long kafkajs waits for any answer. Above the longest broker-side acknowledgement wait the send
 * action allows (request_timeout, at most 30 s): the broker answers, with the records or its own
 * timeout, before the client gives up and retries a request the broker may still be writing.
 */
export const REQUEST_TIMEOUT_MS = 35_000

/*
 * kafkajs splits bootstrap addresses on ':' so `[::1]:9092` cannot be passed as it is. An IPv6
 * bootstrap host is encoded without colons (`[` and `]` never occur in host names) and decoded back
 * by our socket factory. Brokers discovered through metadata arrive as separate host and port and
 * need no encoding.
 */
const encodeBootstrap = (broker: string): string => {
  const m = /^\[(.+)\]:(\d+)$/.exec(broker)
  return m ? `[${m[1].replace(/:/g, '|')}]:${m[2]}` : broker
}
export const decodeHost = (host: string): string =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1).replace(/\|/g, ':') : host

/** `host:port` as the user wrote it, from what kafkajs reports (an encoded bootstrap host included). */
export function displayBroker(broker: string): string {
  const m = /^(\[.*\]):(\d+)$/.exec(broker)
  if (m) return `[${decodeHost(m[1])}]:${m[2]}`
  return broker
}

const KEEP_ALIVE_MS = 60_000

/** kafkajs's own factory plus the IPv6 decoding above. */
export const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const address = decodeHost(host)
  const socket = ssl
    ? tls.connect({ host: address, port, ...(net.isIP(address) ? {} : { servername: address }), ...ssl }, onConnect)
    : net.connect({ host: address, port }, onConnect)
  socket.setKeepAlive(true, KEEP_ALIVE_MS)
  return socket
}

function sslOptions(c: ConnectionSettings): tls.ConnectionOptions | undefined {
  if (!c.ssl.enabled) return undefined
  const options: tls.ConnectionOptions = { rejectUnauthorized: c.ssl.rejectUnauthorized }
  // A custom CA is added to Node's public roots, so a broker with a public certificate still verifies.
  if (c.ssl.ca) options.ca = [...tls.rootCertificates, ...normaliseCertificates(c.ssl.ca, 'ssl_ca')]
  const cert = c.ssl.cert ? normaliseCertificates(c.ssl.cert, 'ssl_cert').join('') : undefined
  const key = c.ssl.key ? normalisePrivateKey(c.ssl.key, 'ssl_key') : undefined
  if (cert) options.cert = cert
  if (key) options.key = key
  if (cert && key) {
    // X509Certificate#checkPrivateKey, not createSecureContext: OpenSSL keeps keys of another type
    // (an EC key with an RSA certificate) in a separate slot without complaint.
    let matches = false
    try {
      matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))
    } catch {
      matches = false
    }
    if (!matches) {
      throw new IntegrationError(
        'ssl_key does not belong to the certificate in ssl_cert (the first certificate must be the client certificate)',
        'INVALID_PEM',
        400
      )
    }
  }
  return options
}

function sasl(c: ConnectionSettings): SASLOptions | Mechanism | undefined {
  switch (c.mechanism) {
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      return { mechanism: c.mechanism, username: c.username ?? '', password: c.password ?? '' } as SASLOptions
    case 'aws':
      // MSK IAM: SASL OAUTHBEARER with tokens from AWS's signer (see aws-iam.ts).
      return awsIamSasl(c)
    case 'client-cert-auth':
    case 'none':
      return undefined
  }
}

/** Pure apart from parsing the PEM input; throws a 400 IntegrationError naming a bad field. */
export function kafkaConfig(c: ConnectionSettings): KafkaConfig {
  const config: KafkaConfig = {
    clientId: c.clientId,
    brokers: c.brokers.map(encodeBootstrap),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    socketFactory,
    // kafkajs logs to the console by default; callers that want its logs pass their own logCreator.
    logLevel: logLevel.NOTHING
  }
  const ssl = sslOptions(c)
  if (ssl) config.ssl = ssl
  const saslOptions = sasl(c)
  if (saslOptions) config.sasl = saslOptions
  return config
}

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

/** Identifies a connection (for pools and caches): same settings, same key; never contains a secret. */
export function connectionKey(c: ConnectionSettings): string {
  const parts = [
    c.brokers,
    c.clientId,
    c.mechanism,
    c.username ?? null,
    c.password ?? null,
    c.accessKeyId ?? null,
    c.secretAccessKey ?? null,
    c.sessionToken ?? null,
    c.authorizationIdentity ?? null,
    c.region ?? null,
    c.ssl.enabled,
    c.ssl.rejectUnauthorized,
    c.ssl.ca ?? null,
    c.ssl.cert ?? null,
    c.ssl.key ?? null,
    c.idempotent
  ]
  return keyedDigest(JSON.stringify(parts))
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
          : `${c.mechanism} as "${c.username ?? ''}"`
  const tlsText = c.ssl.enabled
    ? `TLS (${[c.ssl.ca ? 'custom CA' : 'public CAs', c.ssl.rejectUnauthorized ? 'verified' : 'NOT verified'].join(', ')})`
    : 'plaintext'
  return `${who} to ${c.brokers.join(', ')} over ${tlsText}, client id "${c.clientId}"`
}

/** Every secret of the settings, for scrubbing messages that might echo one. */
export function secretsOf(c: ConnectionSettings | undefined): string[] {
  if (!c) return []
  return [c.password, c.secretAccessKey, c.sessionToken, c.ssl.key].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4
  )
}
