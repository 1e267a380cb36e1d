/**
 * Gives up at once on brokers whose TLS certificate fails verification. kafkajs retries every
 * connection error, a certificate it will never accept included (10-20 s before it reports). The
 * guard wraps a client's socket factory and notes each verification failure; once every bootstrap
 * broker has failed verification, the brokers list it hands kafkajs is empty once, which kafkajs takes
 * as an error it must not retry: connecting stops there, with no retry left running. The caller then
 * reports, through `explain`, the verification error kafkajs would have reported after its retries.
 */
import { KafkaJSConnectionError, type ISocketFactory, type KafkaConfig } from 'kafkajs'
import { TLS_UNTRUSTED } from './error-names'
import { rootCause } from './errors'

/** kafkajs's message when the brokers list is empty, the error it does not retry. */
const EMPTY_BROKERS = /brokers array is empty/

/** Node's codes for a broker certificate that did not verify (the 400 rows of error-table.ts). */
export const VERIFICATION_FAILURES = new Set([
  ...TLS_UNTRUSTED,
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID'
])

export class CertificateGuard {
  /** The verification error of each bootstrap broker (`host:port` as kafkajs splits it) that failed. */
  private readonly failed = new Map<string, Error>()
  private verdict: Error | undefined

  constructor(
    private readonly bootstrap: readonly string[],
    private readonly factory: ISocketFactory
  ) {}

  /** The wrapped socket factory: notes verification failures, and clears them once a broker verifies. */
  readonly socketFactory: ISocketFactory = (args) => {
    const socket = this.factory(args)
    const key = `${args.host}:${args.port}`
    socket.once('secureConnect', () => this.failed.delete(key))
    socket.once('error', (error: Error & { code?: string }) => this.note(key, error))
    return socket
  }

  /**
   * The brokers for kafkajs's seed broker: empty, once, after every bootstrap broker failed
   * verification (kafkajs then gives up without retrying); the bootstrap list otherwise.
   */
  readonly brokers = (): string[] => {
    if (this.bootstrap.length === 0 || this.failed.size < this.bootstrap.length) return [...this.bootstrap]
    this.verdict = this.failed.values().next().value
    this.failed.clear()
    return []
  }

  /** The error to report: the verification error when it is what made kafkajs give up, else `error`. */
  explain(error: unknown): unknown {
    const cause = rootCause(error)
    return this.verdict && cause instanceof Error && EMPTY_BROKERS.test(cause.message) ? this.verdict : error
  }

  private note(key: string, error: Error & { code?: string }): void {
    if (!this.bootstrap.includes(key) || !VERIFICATION_FAILURES.has(error.code ?? '')) return
    // The error kafkajs itself makes of a socket error, so that it maps to the same row and message.
    this.failed.set(
      key,
      new KafkaJSConnectionError(`Connection error: ${error.message}`, { broker: key, code: error.code })
    )
  }
}

/** A client config whose brokers and socket factory go through a new guard, and the guard. */
export function guarded(config: KafkaConfig & { brokers: string[]; socketFactory: ISocketFactory }): {
  config: KafkaConfig
  guard: CertificateGuard
} {
  const guard = new CertificateGuard(config.brokers, config.socketFactory)
  return { config: { ...config, brokers: guard.brokers, socketFactory: guard.socketFactory }, guard }
}
