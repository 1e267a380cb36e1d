/**
 * An LRU pool of connected producers, one per distinct connection (keyed by connectionKey(), a hash
 * that holds no secret). The factory that builds a producer is a parameter, so the pool's rules are
 * tested with a fake and the kafkajs producer lives in producer.ts.
 *
 * Rules: concurrent first calls for one key share one connect; a failed connect is not kept; a
 * producer that reports a fatal failure is dropped and rebuilt on the next call; an evicted producer
 * is disconnected once the calls using it have finished; idle producers expire.
 */
import { LRUCache } from 'lru-cache'
import { createKafkaProducer, type PooledProducer } from './producer'
import type { ConnectionSettings } from './settings'

/** What the pool needs from a producer. */
export interface Poolable<T> {
  /** What callers use (e.g. the kafkajs producer and its per-producer state). */
  value: T
  connect(): Promise<void>
  disconnect(): Promise<void>
  /** Registers the callback to run when the producer can no longer be used (e.g. it disconnected). */
  onFatal(listener: (reason: string) => void): void
}

export type PoolFactory<S, T> = (settings: S, key: string) => Poolable<T>

/** Pool events, reported to whoever made the call (stats and logs are per call in actions-core). */
export interface PoolObserver {
  hit?(key: string): void
  miss?(key: string): void
  evicted?(key: string, reason: string): void
  connectFailed?(key: string, error: unknown): void
  disconnectFailed?(key: string, error: unknown): void
}

export interface PoolOptions<S, T> {
  factory: PoolFactory<S, T>
  /** Most producers kept at once; the least recently used is evicted past it. */
  max?: number
  /** A producer unused for this long is disconnected. */
  idleMs?: number
}

interface Entry<T> {
  key: string
  resource: Poolable<T>
  ready: Promise<void>
  inUse: number
  retired: boolean
  closing: boolean
  /** Settles once the producer is disconnected. */
  closed: Promise<void>
  markClosed: () => void
  observer?: PoolObserver
}

export const DEFAULT_POOL_MAX = 100
export const DEFAULT_POOL_IDLE_MS = 5 * 60_000

export class ProducerPool<S, T> {
  private readonly cache: LRUCache<string, Entry<T>>
  /** Retired entries not disconnected yet (still in use), so closeAll can wait for them. */
  private readonly retiring = new Set<Entry<T>>()
  private sweeper?: NodeJS.Timeout
  readonly max: number
  readonly idleMs: number

  constructor(private readonly options: PoolOptions<S, T>) {
    this.max = options.max ?? DEFAULT_POOL_MAX
    this.idleMs = options.idleMs ?? DEFAULT_POOL_IDLE_MS
    this.cache = new LRUCache<string, Entry<T>>({
      max: this.max,
      ttl: this.idleMs,
      // Idle expiry: each use restarts the clock. lru-cache's own `ttlAutopurge` arms a timer per
      // use, too costly on the hot path, so one unref'd sweeper purges stale entries instead.
      updateAgeOnGet: true,
      dispose: (entry, _key, reason) => this.retire(entry, reason === 'expire' ? 'idle' : reason)
    })
  }

  get size(): number {
    return this.cache.size
  }

  /**
   * Runs `fn` with the connected producer for `key`, creating and connecting it on first use.
   * The producer is not disconnected while `fn` runs, even if it is evicted meanwhile.
   */
  async use<R>(settings: S, key: string, fn: (value: T) => Promise<R>, observer?: PoolObserver): Promise<R> {
    const entry = this.acquire(settings, key, observer)
    try {
      await entry.ready
      return await fn(entry.resource.value)
    } finally {
      entry.inUse--
      if (entry.retired && entry.inUse === 0) this.close(entry)
    }
  }

  private acquire(settings: S, key: string, observer?: PoolObserver): Entry<T> {
    let entry = this.cache.get(key)
    if (entry) {
      observer?.hit?.(key)
    } else {
      observer?.miss?.(key)
      entry = this.create(settings, key)
      this.cache.set(key, entry)
      this.startSweeper()
    }
    if (observer) entry.observer = observer
    entry.inUse++
    return entry
  }

  private create(settings: S, key: string): Entry<T> {
    const resource = this.options.factory(settings, key)
    let markClosed = () => {}
    const closed = new Promise<void>((resolve) => (markClosed = resolve))
    const entry: Entry<T> = {
      key,
      resource,
      ready: Promise.resolve(),
      inUse: 0,
      retired: false,
      closing: false,
      closed,
      markClosed
    }
    resource.onFatal((reason) => this.drop(entry, reason))
    entry.ready = resource.connect().catch((error: unknown) => {
      // A failed connect is not kept: the next call tries again (with possibly corrected settings).
      entry.observer?.connectFailed?.(key, error)
      this.drop(entry, 'connect-failed')
      throw error
    })
    return entry
  }

  /** Takes `entry` out of the pool (if it is still the pooled one for its key) and retires it. */
  private drop(entry: Entry<T>, reason: string): void {
    // Retire first so the reason reported is ours, not lru-cache's 'delete' from the dispose hook.
    this.retire(entry, reason)
    if (this.cache.peek(entry.key) === entry) this.cache.delete(entry.key)
  }

  /** Marks an entry as out of the pool; it is disconnected once no call uses it. */
  private retire(entry: Entry<T>, reason: string): void {
    if (entry.retired) return
    entry.retired = true
    entry.observer?.evicted?.(entry.key, reason)
    this.retiring.add(entry)
    if (entry.inUse === 0) this.close(entry)
  }

  private close(entry: Entry<T>): void {
    if (entry.closing) return
    entry.closing = true
    void entry.ready
      .catch(() => undefined)
      .then(() => entry.resource.disconnect())
      .catch((error: unknown) => entry.observer?.disconnectFailed?.(entry.key, error))
      .finally(() => {
        this.retiring.delete(entry)
        entry.markClosed()
      })
  }

  private startSweeper(): void {
    if (this.sweeper) return
    const every = Math.max(1000, Math.min(this.idleMs, 60_000))
    this.sweeper = setInterval(() => {
      this.cache.purgeStale()
      if (this.cache.size === 0) this.stopSweeper()
    }, every)
    this.sweeper.unref()
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper)
    this.sweeper = undefined
  }

  /** Evicts the producer of one key, if pooled (e.g. after it failed authentication). */
  evict(key: string, reason = 'evicted'): void {
    const entry = this.cache.peek(key)
    if (entry) this.drop(entry, reason)
  }

  /** Disconnects every pooled producer and waits for them (and earlier evictions) to finish. */
  async closeAll(): Promise<void> {
    const entries = [...this.cache.values()]
    for (const entry of entries) this.retire(entry, 'shutdown')
    this.cache.clear()
    this.stopSweeper()
    // Producers still in use close when their calls end; those are waited for too.
    await Promise.all([...entries, ...this.retiring].map((e) => e.closed))
  }
}

function positiveInt(name: string): number | undefined {
  const text = process.env[name]
  if (text === undefined || text === '') return undefined
  const n = Number(text)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

/**
 * The process-wide pool the send action uses. Size and idle time come from the environment:
 * KAFKA_PRODUCER_POOL_MAX (default 100) and KAFKA_PRODUCER_POOL_IDLE_MS (default 300000).
 */
export const producerPool = new ProducerPool<ConnectionSettings, PooledProducer>({
  factory: createKafkaProducer,
  max: positiveInt('KAFKA_PRODUCER_POOL_MAX'),
  idleMs: positiveInt('KAFKA_PRODUCER_POOL_IDLE_MS')
})

/** Disconnects every pooled producer (graceful shutdown). The pool stays usable afterwards. */
export function closeAllProducers(): Promise<void> {
  return producerPool.closeAll()
}
