import {
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError
} from '@segment/actions-core'
import * as kafkajs from 'kafkajs'
import {
  KafkaJSAggregateError,
  KafkaJSBrokerNotFound,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError
} from 'kafkajs'
import { ROWS, rowFor, toActionError } from '../../src/kafka/errors'
import { normaliseSettings } from '../../src/settings'

// kafkajs's own table of protocol errors: the real type, code and retriable flag of each.
const { createErrorFromCode, errorCodes } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => Error
  errorCodes: { type: string; code: number }[]
}
const protocol = (type: string): KafkaJSProtocolError => {
  const entry = errorCodes.find((e) => e.type === type)
  if (!entry) throw new Error(`no Kafka error ${type}`)
  return new KafkaJSProtocolError(createErrorFromCode(entry.code))
}
const ClosedError = (kafkajs as unknown as { KafkaJSConnectionClosedError: new (m: string, o: object) => Error })
  .KafkaJSConnectionClosedError
/** What kafkajs makes of a Node socket error, after its retries. */
const socketError = (code: string, message: string, broker = 'b1:9093'): Error =>
  new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError(`Connection error: ${message}`, { broker, code }), {
    retryCount: 0,
    retryTime: 100
  })

/** Some kafkajs error classes are typed without constructor arguments; they take a message at run time. */
const make = (C: unknown, message: string): Error => new (C as new (m: string) => Error)(message)

const SECRET = 'pw-S3cret-4242'
const settings = normaliseSettings({
  brokers: 'b1:9093,b2:9093',
  mechanism: 'scram-sha-512',
  username: 'alice',
  password: SECRET
})
const ctx = { settings, topic: 'orders' }

type Expected = [cls: unknown, status: number, code: string, ...text: string[]]
const cases: Record<string, [Error | unknown, Expected]> = {
  'SASL mechanism not enabled by the broker': [
    protocol('UNSUPPORTED_SASL_MECHANISM'),
    [InvalidAuthenticationError, 401, 'UNSUPPORTED_SASL_MECHANISM', 'does not enable the SASL mechanism SCRAM-SHA-512']
  ],
  'SASL authentication failed': [
    make(KafkaJSSASLAuthenticationError, 'SASL SCRAM SHA512 authentication failed: Authentication failed'),
    [InvalidAuthenticationError, 401, 'KafkaJSSASLAuthenticationError', 'SCRAM-SHA-512 as user "alice"']
  ],
  'SASL spoken to a listener without SASL': [
    protocol('ILLEGAL_SASL_STATE'),
    [InvalidAuthenticationError, 401, 'ILLEGAL_SASL_STATE', 'does not use SASL', 'b1:9093, b2:9093']
  ],
  'client certificate missing or rejected (mutual TLS)': [
    socketError('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'sslv3 alert bad certificate'),
    [
      InvalidAuthenticationError,
      401,
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      'Broker b1:9093 rejected the TLS client certificate'
    ]
  ],
  'TLS: broker certificate from an unknown CA': [
    socketError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
    [
      IntegrationError,
      400,
      'SELF_SIGNED_CERT_IN_CHAIN',
      'TLS verification of broker b1:9093 failed',
      'ssl_ca',
      'ssl_reject_unauthorized_ca'
    ]
  ],
  'TLS: host name mismatch': [
    socketError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: Host: vm."),
    [IntegrationError, 400, 'ERR_TLS_CERT_ALTNAME_INVALID', 'host name is not in its certificate', 'Host: vm.']
  ],
  'TLS: broker certificate expired or not yet valid': [
    socketError('CERT_HAS_EXPIRED', 'certificate has expired'),
    [IntegrationError, 400, 'CERT_HAS_EXPIRED', 'certificate has expired']
  ],
  'TLS spoken to a plaintext port': [
    socketError('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'),
    [RetryableError, 503, 'ECONNRESET', 'the port may not speak TLS', 'ssl_enabled off']
  ],
  'broker unreachable': [
    socketError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.9:9093', '10.0.0.9:9093'),
    [RetryableError, 503, 'ECONNREFUSED', 'Cannot reach broker 10.0.0.9:9093']
  ],
  'broker host not found': [
    socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND kafka.invalid', 'kafka.invalid:9092'),
    [RetryableError, 503, 'ENOTFOUND', 'Cannot resolve broker kafka.invalid:9092']
  ],
  'connection closed by the broker': [
    new ClosedError('Closed connection', { host: 'b2', port: 9093 }),
    [RetryableError, 503, 'KafkaJSConnectionClosedError', 'Broker b2:9093 closed the connection']
  ],
  timeout: [
    new KafkaJSRequestTimeoutError('Request Metadata(key: 3, version: 6) timed out', { broker: 'b1:9093' } as never),
    [RetryableError, 504, 'KafkaJSRequestTimeoutError', 'Timed out talking to broker b1:9093']
  ],
  'throttled by a quota': [
    new KafkaJSProtocolError(createErrorFromCode(89)), // unknown to kafkajs 2.2
    [RetryableError, 429, 'THROTTLING_QUOTA_EXCEEDED']
  ],
  'topic or cluster authorization failed': [
    protocol('TOPIC_AUTHORIZATION_FAILED'),
    [IntegrationError, 403, 'TOPIC_AUTHORIZATION_FAILED', 'may not write to topic "orders"', 'user "alice"']
  ],
  'message or batch too large': [
    protocol('MESSAGE_TOO_LARGE'),
    [PayloadValidationError, 400, 'MESSAGE_TOO_LARGE', 'too large for topic "orders"']
  ],
  'invalid record': [protocol('INVALID_RECORD'), [PayloadValidationError, 400, 'INVALID_RECORD', 'topic "orders"']],
  'unknown topic (not auto-created)': [
    new KafkaJSNumberOfRetriesExceeded(protocol('UNKNOWN_TOPIC_OR_PARTITION'), { retryCount: 5, retryTime: 1 }),
    [IntegrationError, 404, 'UNKNOWN_TOPIC_OR_PARTITION', 'Topic "orders" does not exist']
  ],
  'invalid topic name': [
    protocol('INVALID_TOPIC_EXCEPTION'),
    [IntegrationError, 400, 'INVALID_TOPIC_EXCEPTION', 'Topic "orders" is not a valid']
  ],
  'other retriable Kafka error (leader change, replicas, ...)': [
    protocol('NOT_LEADER_FOR_PARTITION'),
    [RetryableError, 503, 'NOT_LEADER_FOR_PARTITION']
  ],
  "the idempotent producer's state (sequence number, producer id)": [
    new KafkaJSNumberOfRetriesExceeded(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER'), { retryCount: 0, retryTime: 1 }),
    [RetryableError, 503, 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'topic "orders"', 'a fresh producer retries']
  ],
  'other non-retriable Kafka error': [protocol('POLICY_VIOLATION'), [IntegrationError, 400, 'POLICY_VIOLATION']],
  'other connection error': [
    new KafkaJSConnectionError('Connection error: something odd', { broker: 'b1:9093', code: 'EPROTO' }),
    [RetryableError, 503, 'EPROTO', 'Connection to broker b1:9093 failed']
  ],
  'other retriable kafkajs error (metadata not loaded, broker not found, ...)': [
    make(KafkaJSBrokerNotFound, 'Broker 3 not found'),
    [RetryableError, 503, 'KafkaJSBrokerNotFound']
  ],
  'other non-retriable kafkajs error (invalid message, ...)': [
    new KafkaJSNonRetriableError('Invalid message without value for topic "orders"'),
    [IntegrationError, 400, 'KafkaJSNonRetriableError', 'Invalid message without value']
  ],
  'unknown error': [new TypeError('x is not a function'), [RetryableError, 500, 'UNKNOWN_ERROR', 'x is not a function']]
}

describe('toActionError: one test per row of the table', () => {
  it('every row has a case here', () => {
    expect(ROWS.map((r) => r.case).sort()).toEqual(Object.keys(cases).sort())
  })

  it.each(Object.entries(cases))('%s', (name, [input, [cls, status, code, ...texts]]) => {
    expect(rowFor(input).case).toBe(name)
    const mapped = toActionError(input, ctx) as Error & { status?: number; code?: string }
    expect(mapped).toBeInstanceOf(cls as never)
    expect(mapped.status).toBe(status)
    expect(mapped.code).toBe(code)
    for (const text of texts) expect(mapped.message).toContain(text)
    expect(mapped.message).not.toContain(SECRET)
  })
})

describe('toActionError: special inputs', () => {
  it('kafkajs’s own “mechanism not supported” SASL error is the mechanism row, not a failed login', () => {
    const e = make(KafkaJSSASLAuthenticationError, 'SASL OAUTHBEARER mechanism is not supported by the server')
    expect(toActionError(e, ctx)).toMatchObject({ status: 401, code: 'UNSUPPORTED_SASL_MECHANISM' })
  })

  it('a rejected client certificate as OpenSSL 3.2+ (Node 24) names the alert is the same row', () => {
    const e = socketError('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', 'ssl/tls alert bad certificate')
    expect(toActionError(e, ctx)).toMatchObject({ status: 401, code: 'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE' })
    expect(toActionError(e, ctx).message).toContain('Broker b1:9093 rejected the TLS client certificate')
  })

  it('returns actions-core errors unchanged', () => {
    const e = new PayloadValidationError('bad')
    expect(toActionError(e, ctx)).toBe(e)
  })

  it('unwraps an aggregate error to its first error', () => {
    const e = new KafkaJSAggregateError('many', [
      protocol('TOPIC_AUTHORIZATION_FAILED'),
      protocol('NOT_LEADER_FOR_PARTITION')
    ])
    expect(toActionError(e, ctx)).toMatchObject({ status: 403 })
  })

  it('unwraps a non-retriable kafkajs wrapper to its cause, passing an actions-core cause through', () => {
    // kafkajs's constructor takes (error, { cause }); its type definitions omit the second argument.
    const wrap = (cause: Error): Error =>
      new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(cause, { cause })
    const fromProvider = new RetryableError('STS unreachable', 503)
    expect(toActionError(wrap(fromProvider), ctx)).toBe(fromProvider)
    const auth = make(KafkaJSSASLAuthenticationError, 'SASL OAUTHBEARER authentication failed')
    expect(toActionError(wrap(auth), ctx)).toBeInstanceOf(InvalidAuthenticationError)
  })

  it('maps non-Error values and still gives a message', () => {
    expect(toActionError('boom')).toMatchObject({
      status: 500,
      code: 'UNKNOWN_ERROR',
      message: 'Unexpected error: boom'
    })
    expect(toActionError(undefined).message).toContain('Unexpected error')
  })

  it('scrubs a secret echoed by any message, mapped or already an action error', () => {
    expect(toActionError(new Error(`bad ${SECRET}`), ctx).message).toBe('Unexpected error: bad [redacted]')
    expect(toActionError(new IntegrationError(`x ${SECRET}`, 'X', 400), ctx).message).toBe('x [redacted]')
  })

  it('names the brokers of the settings when kafkajs does not name one', () => {
    const e = new KafkaJSRequestTimeoutError('timed out')
    expect(toActionError(e, ctx).message).toContain('brokers b1:9093, b2:9093')
    expect(toActionError(e).message).toContain('the broker')
  })
})
