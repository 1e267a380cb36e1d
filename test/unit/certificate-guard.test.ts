import { Socket } from 'node:net'
import { KafkaJSConnectionError, KafkaJSNonRetriableError, type ISocketFactoryArgs } from 'kafkajs'
import { CertificateGuard } from '../../src/kafka/certificate-guard'
import { toActionError } from '../../src/kafka/errors'

/** Sockets that never connect: the test emits their events itself. */
function guardOf(bootstrap: string[]): { guard: CertificateGuard; open: (broker: string) => Socket } {
  const guard = new CertificateGuard(bootstrap, () => new Socket())
  const open = (broker: string): Socket => {
    const [host, port] = broker.split(':')
    return guard.socketFactory({ host, port: Number(port), onConnect: () => undefined } as ISocketFactoryArgs)
  }
  return { guard, open }
}

const socketError = (code: string, message = `${code} message`): Error => Object.assign(new Error(message), { code })

/** What kafkajs's retrier rejects with when the brokers list is empty. */
const emptyBrokers = (): Error => {
  const inner = new KafkaJSNonRetriableError('Failed to connect: brokers array is empty')
  return Object.assign(new KafkaJSNonRetriableError(inner), { cause: inner })
}

describe('CertificateGuard', () => {
  it('hands kafkajs an empty brokers list once, after the only bootstrap broker failed verification', () => {
    const { guard, open } = guardOf(['b1:9093'])
    expect(guard.brokers()).toEqual(['b1:9093'])
    open('b1:9093').emit(
      'error',
      socketError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')
    )
    expect(guard.brokers()).toEqual([])
    expect(guard.brokers()).toEqual(['b1:9093'])
  })

  it('explains kafkajs giving up by the verification error, as kafkajs reports it (same 400 and message)', () => {
    const { guard, open } = guardOf(['b1:9093'])
    const error = socketError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames")
    open('b1:9093').emit('error', error)
    guard.brokers()
    const explained = guard.explain(emptyBrokers())
    const asKafkajs = new KafkaJSConnectionError(`Connection error: ${error.message}`, {
      broker: 'b1:9093',
      code: 'ERR_TLS_CERT_ALTNAME_INVALID'
    })
    expect(explained).toBeInstanceOf(KafkaJSConnectionError)
    const mapped = toActionError(explained)
    expect(mapped).toEqual(toActionError(asKafkajs))
    expect(mapped).toMatchObject({ status: 400, code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
    expect(mapped.message).toMatch(/broker b1:9093 failed: the host name is not in its certificate/)
  })

  it('waits until every bootstrap broker failed verification', () => {
    const { guard, open } = guardOf(['b1:9093', 'b2:9093'])
    open('b1:9093').emit('error', socketError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))
    open('b1:9093').emit('error', socketError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))
    expect(guard.brokers()).toEqual(['b1:9093', 'b2:9093'])
    open('b2:9093').emit('error', socketError('CERT_HAS_EXPIRED'))
    expect(guard.brokers()).toEqual([])
  })

  it('forgets a failure once that broker verifies', () => {
    const { guard, open } = guardOf(['b1:9093', 'b2:9093'])
    open('b1:9093').emit('error', socketError('SELF_SIGNED_CERT_IN_CHAIN'))
    open('b1:9093').emit('secureConnect')
    open('b2:9093').emit('error', socketError('SELF_SIGNED_CERT_IN_CHAIN'))
    expect(guard.brokers()).toEqual(['b1:9093', 'b2:9093'])
  })

  it.each([
    ['a connection error retrying can fix', 'b1:9093', 'ECONNREFUSED'],
    ['a client certificate the broker rejected', 'b1:9093', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
    ['TLS spoken to a plaintext port', 'b1:9093', 'ERR_SSL_WRONG_VERSION_NUMBER'],
    ['a broker discovered through metadata, not a bootstrap one', 'b9:9093', 'SELF_SIGNED_CERT_IN_CHAIN']
  ])('does not count %s', (_name, broker, code) => {
    const { guard, open } = guardOf(['b1:9093'])
    open(broker).emit('error', socketError(code))
    expect(guard.brokers()).toEqual(['b1:9093'])
  })

  it('leaves other errors as they are, before and after a verdict', () => {
    const { guard, open } = guardOf(['b1:9093'])
    const other = new KafkaJSConnectionError('Connection error: refused', { broker: 'b1:9093', code: 'ECONNREFUSED' })
    expect(guard.explain(emptyBrokers())).toBeInstanceOf(KafkaJSNonRetriableError)
    open('b1:9093').emit('error', socketError('SELF_SIGNED_CERT_IN_CHAIN'))
    guard.brokers()
    expect(guard.explain(other)).toBe(other)
  })
})
