/**
 * ConnectionSettings -> kafkajs KafkaConfig (SASL, TLS, socket factory), without connecting. The
 * settings arrive normalised (brokers parsed, PEM checked, AWS region resolved), so this cannot fail.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import { logLevel, type ISocketFactory, type KafkaConfig, type Mechanism, type SASLOptions } from 'kafkajs'
import { formatBroker, type BrokerAddress } from '../brokers'
import type { ConnectionSettings } from '../settings'
import { awsIamSasl } from './msk-iam'
import { oauthSasl } from './oauth-bearer'
// Every kafkajs client built here runs without kafkajs's idle 1 ms timer loop (see request-queue.ts).
import './request-queue'

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
const bootstrap = (b: BrokerAddress): string => (b.ipv6 ? `[${b.host.replace(/:/g, '|')}]:${b.port}` : formatBroker(b))
export const decodeHost = (host: string): string =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1).replace(/\|/g, ':') : host

/** A broker as kafkajs reports it (`host:port`, an encoded bootstrap host, or a bare IPv6 host). */
export function reportedBroker(broker: string): BrokerAddress | undefined {
  const colon = broker.lastIndexOf(':')
  const host = decodeHost(broker.slice(0, colon)).replace(/^\[|\]$/g, '')
  const port = Number(broker.slice(colon + 1))
  if (colon === -1 || !host || !Number.isInteger(port)) return undefined
  return { host, port, ipv6: net.isIPv6(host) }
}

/** `host:port` as the user wrote it, from what kafkajs reports (an encoded bootstrap host included). */
export function displayBroker(broker: string): string {
  const address = reportedBroker(broker)
  return address ? formatBroker(address) : broker
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

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g

function sslOptions(c: ConnectionSettings): tls.ConnectionOptions | undefined {
  if (!c.ssl.enabled) return undefined
  const options: tls.ConnectionOptions = { rejectUnauthorized: c.ssl.rejectUnauthorized }
  // A custom CA is added to Node's public roots, so a broker with a public certificate still verifies.
  if (c.ssl.ca) options.ca = [...tls.rootCertificates, ...(c.ssl.ca.match(CERTIFICATE) ?? [])]
  if (c.ssl.cert) options.cert = c.ssl.cert
  if (c.ssl.key) options.key = c.ssl.key
  return options
}

function sasl(c: ConnectionSettings): SASLOptions | Mechanism | undefined {
  switch (c.mechanism) {
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      return { mechanism: c.mechanism, username: c.username ?? '', password: c.password ?? '' } as SASLOptions
    case 'aws':
      // MSK IAM: SASL OAUTHBEARER with tokens from AWS's signer (see msk-iam.ts).
      return awsIamSasl(c)
    case 'oauthbearer':
      // OIDC client-credentials tokens over SASL OAUTHBEARER (see oauth-bearer.ts).
      return c.oauth ? oauthSasl(c.oauth) : undefined
    case 'client-cert-auth':
    case 'none':
      return undefined
  }
}

/** The kafkajs client config of normalised settings. Pure. */
export function kafkaConfig(c: ConnectionSettings): KafkaConfig & { brokers: string[]; socketFactory: ISocketFactory } {
  const config: KafkaConfig & { brokers: string[]; socketFactory: ISocketFactory } = {
    clientId: c.clientId,
    brokers: c.brokers.map(bootstrap),
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
