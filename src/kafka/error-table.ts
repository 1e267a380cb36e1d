/**
 * The table mapping kafkajs, Node socket and TLS errors to actions-core errors: the first row whose
 * `match` accepts the (unwrapped) error decides. Each mapped error's code is the Kafka name of the
 * error: the protocol error type (`TOPIC_AUTHORIZATION_FAILED`), the kafkajs class name, or Node's code
 * (`ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`). Each row has an id, for code that asks which row
 * matched (the connection test) and for tests.
 *
 * Unknown errors (not from kafkajs, Node's network stack or actions-core) become a RetryableError 500
 * `UNKNOWN_ERROR`: nothing says the event is at fault, and dropping it would lose data silently.
 */
import * as kafkajs from 'kafkajs'
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  KafkaJSTimeout
} from 'kafkajs'
import { formatBrokers } from '../brokers'
import { credentials, invalidPayload, ownError, rejected, retryable } from '../errors'
import type { ConnectionSettings } from '../settings'
import { displayBroker } from './client-config'
import {
  TLS_UNTRUSTED,
  TLS_CLIENT_CERT_REJECTED,
  UNREACHABLE,
  NOT_FOUND,
  TIMEOUTS,
  AUTHORIZATION,
  TOO_LARGE,
  INVALID_RECORD,
  PRODUCER_STATE
} from './error-names'

/** Exported by kafkajs at run time but missing from its type definitions. */
const { KafkaJSConnectionClosedError } = kafkajs as unknown as {
  KafkaJSConnectionClosedError: typeof KafkaJSConnectionError
}

export interface ErrorContext {
  settings?: ConnectionSettings
  topic?: string
}

export interface Row {
  id: string
  /** What the row recognises, for readers and test names. */
  case: string
  match: (e: ErrorLike) => boolean
  map: (e: ErrorLike, ctx: ErrorContext) => Error
}

/** The fields the rows read; kafkajs and Node errors carry a subset. */
export interface ErrorLike extends Error {
  code?: string | number
  type?: string
  retriable?: boolean
  broker?: string
  topic?: string
}

const nodeCode = (e: ErrorLike): string | undefined => (typeof e.code === 'string' ? e.code : undefined)
const kafkaCode = (e: ErrorLike): string => e.type ?? nodeCode(e) ?? e.name
const brokerOf = (e: ErrorLike, ctx: ErrorContext): string =>
  e.broker
    ? `broker ${displayBroker(e.broker)}`
    : ctx.settings
      ? `brokers ${formatBrokers(ctx.settings.brokers)}`
      : 'the broker'
const topicOf = (e: ErrorLike, ctx: ErrorContext): string => {
  const topic = e.topic ?? ctx.topic
  return topic ? `topic "${topic}"` : 'the topic'
}
const userOf = (ctx: ErrorContext): string => {
  const s = ctx.settings
  if (!s) return 'the configured credentials'
  if (s.mechanism === 'oauthbearer') return `OAUTHBEARER as client "${s.oauth?.clientId ?? ''}"`
  const user = s.mechanism === 'aws' ? s.accessKeyId : s.username
  return `${s.mechanism.toUpperCase()} as user "${user ?? ''}"`
}
/** kafkajs prefixes socket errors with "Connection error: ". */
const detail = (e: ErrorLike): string => e.message.replace(/^Connection error: /, '')

const is = (e: ErrorLike, ...types: string[]): boolean =>
  e instanceof KafkaJSProtocolError && types.includes(e.type ?? '')
const socket = (e: ErrorLike, ...codes: string[]): boolean => codes.includes(nodeCode(e) ?? '')

export const ROWS = [
  // ---- authentication ----
  {
    id: 'sasl-mechanism-not-enabled',
    case: 'SASL mechanism not enabled by the broker',
    match: (e) =>
      is(e, 'UNSUPPORTED_SASL_MECHANISM') ||
      // kafkajs raises this one itself, with no field to tell it apart from a failed login.
      (e instanceof KafkaJSSASLAuthenticationError && /mechanism is not supported by the server/.test(e.message)),
    map: (e, ctx) =>
      credentials(
        `The broker does not enable the SASL mechanism ${ctx.settings?.mechanism.toUpperCase() ?? ''} on this listener: choose a mechanism the listener accepts (or check the port).`,
        kafkaCode(e) === 'KafkaJSSASLAuthenticationError' ? 'UNSUPPORTED_SASL_MECHANISM' : kafkaCode(e)
      )
  },
  {
    id: 'sasl-authentication-failed',
    case: 'SASL authentication failed',
    match: (e) => e instanceof KafkaJSSASLAuthenticationError || is(e, 'SASL_AUTHENTICATION_FAILED'),
    map: (e, ctx) =>
      credentials(
        `Authentication failed for ${userOf(ctx)}: the broker rejected the credentials (${e.message}). ${ctx.settings?.mechanism === 'aws' ? 'Check the access key, secret key, session token and role.' : ctx.settings?.mechanism === 'oauthbearer' ? 'Check the OAuth client and what the broker expects of its tokens.' : 'Check the username and password.'}`,
        e instanceof KafkaJSSASLAuthenticationError ? e.name : kafkaCode(e)
      )
  },
  {
    id: 'sasl-to-listener-without-sasl',
    case: 'SASL spoken to a listener without SASL',
    match: (e) => is(e, 'ILLEGAL_SASL_STATE'),
    map: (e, ctx) =>
      credentials(
        `The listener at ${ctx.settings ? formatBrokers(ctx.settings.brokers) : 'the broker'} does not use SASL, but mechanism ${ctx.settings?.mechanism ?? ''} was chosen: use the broker's SASL port, or mechanism "none" (or "client-cert-auth" on a TLS port).`,
        kafkaCode(e)
      )
  },
  {
    id: 'client-certificate-rejected',
    case: 'client certificate missing or rejected (mutual TLS)',
    match: (e) => socket(e, ...TLS_CLIENT_CERT_REJECTED),
    map: (e, ctx) =>
      credentials(
        `${cap(brokerOf(e, ctx))} rejected the TLS client certificate${ctx.settings?.ssl.cert ? '' : ' (none was given: set ssl_cert and ssl_key, mechanism client-cert-auth)'}; check that ssl_cert is signed by a CA the broker trusts.`,
        kafkaCode(e)
      )
  },
  // ---- TLS verification of the broker ----
  {
    id: 'tls-unknown-ca',
    case: 'TLS: broker certificate from an unknown CA',
    match: (e) => socket(e, ...TLS_UNTRUSTED),
    map: (e, ctx) =>
      rejected(
        `TLS verification of ${brokerOf(e, ctx)} failed: its certificate is not signed by a trusted CA (${detail(e)}). Put the CA certificate in ssl_ca${ctx.settings?.ssl.ca ? ' (the one given did not sign it)' : ''}, or set ssl_reject_unauthorized_ca to false (unsafe).`,
        kafkaCode(e)
      )
  },
  {
    id: 'tls-host-name-mismatch',
    case: 'TLS: host name mismatch',
    match: (e) => socket(e, 'ERR_TLS_CERT_ALTNAME_INVALID'),
    map: (e, ctx) =>
      rejected(
        `TLS verification of ${brokerOf(e, ctx)} failed: the host name is not in its certificate (${detail(e)}). Connect with a name the certificate lists.`,
        kafkaCode(e)
      )
  },
  {
    id: 'tls-certificate-expired',
    case: 'TLS: broker certificate expired or not yet valid',
    match: (e) => socket(e, 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'),
    map: (e, ctx) => rejected(`TLS verification of ${brokerOf(e, ctx)} failed: ${detail(e)}.`, kafkaCode(e))
  },
  {
    id: 'tls-to-plaintext-port',
    case: 'TLS spoken to a plaintext port',
    match: (e) =>
      socket(e, 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG') ||
      (socket(e, 'ECONNRESET') && /before secure TLS connection was established/.test(e.message)),
    // Retryable: a reset during the handshake can also be a broker restarting. The connection test
    // confirms the diagnosis with a probe (see diagnose.ts) and reports it as a 400.
    map: (e, ctx) =>
      retryable(
        `The TLS handshake with ${brokerOf(e, ctx)} failed: the port may not speak TLS. If it is a plaintext listener, turn ssl_enabled off or use the broker's TLS port.`,
        kafkaCode(e)
      )
  },
  // ---- reachability and timeouts ----
  {
    id: 'broker-unreachable',
    case: 'broker unreachable',
    match: (e) => socket(e, ...UNREACHABLE),
    map: (e, ctx) =>
      retryable(
        `Cannot reach ${brokerOf(e, ctx)}: ${detail(e)}. Check the host, the port and the firewall.`,
        kafkaCode(e)
      )
  },
  {
    id: 'broker-host-not-found',
    case: 'broker host not found',
    match: (e) => socket(e, ...NOT_FOUND),
    map: (e, ctx) => retryable(`Cannot resolve ${brokerOf(e, ctx)}: ${detail(e)}. Check the host name.`, kafkaCode(e))
  },
  {
    id: 'connection-closed',
    case: 'connection closed by the broker',
    match: (e) => e instanceof KafkaJSConnectionClosedError || socket(e, 'ECONNRESET', 'EPIPE'),
    map: (e, ctx) =>
      retryable(
        `${cap(brokerOf(e, ctx))} closed the connection.${ctx.settings && !ctx.settings.ssl.enabled ? ' If this port expects TLS, turn ssl_enabled on.' : ''}${ctx.settings?.mechanism === 'none' ? ' If it expects SASL authentication, choose a mechanism.' : ''}`,
        kafkaCode(e)
      )
  },
  {
    id: 'timeout',
    case: 'timeout',
    match: (e) =>
      e instanceof KafkaJSRequestTimeoutError ||
      e instanceof KafkaJSTimeout ||
      socket(e, ...TIMEOUTS) ||
      is(e, ...TIMEOUTS) ||
      (e instanceof KafkaJSConnectionError && /timeout/i.test(e.message)),
    map: (e, ctx) => retryable(`Timed out talking to ${brokerOf(e, ctx)}: ${detail(e)}.`, kafkaCode(e), 504)
  },
  // ---- Kafka protocol errors ----
  {
    id: 'throttled',
    case: 'throttled by a quota',
    // kafkajs 2.2 predates error 89 and reports it as an unknown code.
    match: (e) => is(e, 'THROTTLING_QUOTA_EXCEEDED') || (is(e, 'KAFKAJS_UNKNOWN_ERROR_CODE') && / 89$/.test(e.message)),
    map: () =>
      retryable('Kafka throttled the request (quota exceeded); it will be retried.', 'THROTTLING_QUOTA_EXCEEDED', 429)
  },
  {
    id: 'not-authorized',
    case: 'topic or cluster authorization failed',
    match: (e) => is(e, ...AUTHORIZATION),
    map: (e, ctx) =>
      rejected(
        `Not authorized: ${userOf(ctx)} may not ${e.type === 'TOPIC_AUTHORIZATION_FAILED' ? `write to ${topicOf(e, ctx)}` : 'perform this operation on the cluster'} (${e.type}). Grant the ACL or use another user.`,
        kafkaCode(e),
        403
      )
  },
  {
    id: 'too-large',
    case: 'message or batch too large',
    match: (e) => is(e, ...TOO_LARGE),
    map: (e, ctx) =>
      invalidPayload(
        `The record is too large for ${topicOf(e, ctx)} (${e.type}): reduce the payload or raise the topic's max.message.bytes.`,
        kafkaCode(e)
      )
  },
  {
    id: 'invalid-record',
    case: 'invalid record',
    match: (e) => is(e, ...INVALID_RECORD),
    map: (e, ctx) => invalidPayload(`Kafka rejected the record for ${topicOf(e, ctx)}: ${e.message}.`, kafkaCode(e))
  },
  {
    id: 'unknown-topic',
    case: 'unknown topic (not auto-created)',
    match: (e) => is(e, 'UNKNOWN_TOPIC_OR_PARTITION'),
    map: (e, ctx) =>
      rejected(
        `${cap(topicOf(e, ctx))} does not exist and the cluster does not create topics automatically: create it first.`,
        kafkaCode(e),
        404
      )
  },
  {
    id: 'invalid-topic-name',
    case: 'invalid topic name',
    match: (e) => is(e, 'INVALID_TOPIC_EXCEPTION'),
    map: (e, ctx) =>
      rejected(`${cap(topicOf(e, ctx))} is not a valid Kafka topic name (${e.message}).`, kafkaCode(e), 400)
  },
  {
    id: 'producer-state',
    case: "the idempotent producer's state (sequence number, producer id)",
    // kafkajs calls these non-retriable; the producer that met one is retired, so a retry succeeds.
    match: (e) => is(e, ...PRODUCER_STATE),
    map: (e, ctx) =>
      retryable(`Producer state out of step for ${topicOf(e, ctx)}: a fresh producer retries.`, kafkaCode(e))
  },
  {
    id: 'kafka-retriable',
    case: 'other retriable Kafka error (leader change, replicas, ...)',
    match: (e) => e instanceof KafkaJSProtocolError && e.retriable === true,
    map: (e, ctx) => retryable(`Kafka error on ${topicOf(e, ctx)} (retrying helps): ${e.message}.`, kafkaCode(e))
  },
  {
    id: 'kafka-not-retriable',
    case: 'other non-retriable Kafka error',
    match: (e) => e instanceof KafkaJSProtocolError,
    map: (e, ctx) => rejected(`Kafka rejected the request for ${topicOf(e, ctx)}: ${e.message}.`, kafkaCode(e))
  },
  // ---- kafkajs client errors ----
  {
    id: 'connection-error',
    case: 'other connection error',
    match: (e) => e instanceof KafkaJSConnectionError,
    map: (e, ctx) => retryable(`Connection to ${brokerOf(e, ctx)} failed: ${detail(e)}.`, kafkaCode(e))
  },
  {
    id: 'client-retriable',
    case: 'other retriable kafkajs error (metadata not loaded, broker not found, ...)',
    match: (e) => e instanceof KafkaJSError && e.retriable !== false,
    map: (e) => retryable(`Kafka client error (retrying helps): ${e.message}.`, e.name)
  },
  {
    id: 'client-not-retriable',
    case: 'other non-retriable kafkajs error (invalid message, ...)',
    match: (e) => e instanceof KafkaJSError,
    map: (e) => rejected(`Kafka client error: ${e.message}.`, e.name)
  },
  {
    id: 'unknown',
    case: 'unknown error',
    match: () => true,
    map: (e) => ownError('UNKNOWN_ERROR', `Unexpected error: ${e.message || String(e)}`)
  }
] as const satisfies readonly Row[]

export type RowId = (typeof ROWS)[number]['id']

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
