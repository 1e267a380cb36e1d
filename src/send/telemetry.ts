/**
 * Stats and logs of the send path, through the `statsContext` and `logger` actions-core passes
 * (either may be absent, and a logger may lack some levels). Nothing here receives a secret:
 * connections are named by describeConnection(), which leaves secrets out.
 */
import type { Logger, StatsContext } from '@segment/actions-core'
import { describeConnection } from '../connection-identity'
import { errorCode } from '../errors'
import type { CallObserver, PoolObserver } from '../producer-pool'
import type { ConnectionSettings } from '../settings'
import type { DeliveryObserver } from './deliver'

type Level = 'debug' | 'info' | 'warn' | 'error'

export const METRICS = {
  messages: 'kafka.messages_sent',
  bytes: 'kafka.bytes_sent',
  latency: 'kafka.send_latency_ms',
  errors: 'kafka.errors',
  poolHit: 'kafka.pool.hit',
  poolMiss: 'kafka.pool.miss',
  poolEviction: 'kafka.pool.eviction'
} as const

type Stats = Partial<Pick<StatsContext['statsClient'], 'incr' | 'histogram'>>

export class Telemetry implements DeliveryObserver {
  /** Absent, or partial in some runtimes and tests: every use checks. */
  private readonly stats: Stats | undefined
  private readonly baseTags: string[]

  constructor(
    statsContext: Partial<StatsContext> | undefined,
    private readonly logger: Partial<Logger> | undefined
  ) {
    this.stats = statsContext?.statsClient
    this.baseTags = Array.isArray(statsContext?.tags) ? statsContext.tags : []
  }

  private tags(extra: string[]): string[] {
    return this.baseTags.length ? [...this.baseTags, ...extra] : extra
  }

  private incr(name: string, value: number, tags: string[]): void {
    if (typeof this.stats?.incr === 'function') this.stats.incr(name, value, this.tags(tags))
  }

  private histogram(name: string, value: number, tags: string[]): void {
    if (typeof this.stats?.histogram === 'function') this.stats.histogram(name, value, this.tags(tags))
  }

  log(level: Level, message: string): void {
    const write = this.logger?.[level]
    if (typeof write === 'function') write.call(this.logger, `[kafka] ${message}`)
  }

  sent(topic: string, records: number, bytes: number, ms: number): void {
    if (!this.stats) return
    const tags = [`topic:${topic}`]
    this.incr(METRICS.messages, records, tags)
    this.incr(METRICS.bytes, bytes, tags)
    this.histogram(METRICS.latency, ms, tags)
  }

  /** Counts failed events by error code (and logs each distinct failure once per call). */
  failed(topic: string | undefined, error: Error, events = 1): void {
    const code = errorCode(error)
    this.incr(METRICS.errors, events, [`code:${code}`, ...(topic ? [`topic:${topic}`] : [])])
  }

  /** The pool's events during one call, for one connection named without secrets. */
  callObserver(connection: () => string): CallObserver {
    return {
      hit: () => this.incr(METRICS.poolHit, 1, []),
      miss: () => {
        this.incr(METRICS.poolMiss, 1, [])
        this.log('info', `connecting a producer: ${connection()}`)
      },
      connectFailed: (_key, error) =>
        this.log('warn', `producer failed to connect: ${connection()}: ${(error as Error)?.name ?? 'error'}`)
    }
  }

  /**
   * The pool's events outside any call (evictions, failed disconnects), for a host to register with
   * observeProducerPool() with its own stats client and logger.
   */
  poolObserver(): PoolObserver<ConnectionSettings> {
    return {
      evicted: (_key, reason, settings) => {
        this.incr(METRICS.poolEviction, 1, [`reason:${reason}`])
        this.log('info', `producer closed (${reason}): ${describeConnection(settings)}`)
      },
      disconnectFailed: (_key, error, settings) =>
        this.log(
          'warn',
          `producer failed to disconnect: ${describeConnection(settings)}: ${(error as Error)?.name ?? 'error'}`
        )
    }
  }
}
