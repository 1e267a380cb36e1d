/**
 * An LRU pool of connected producers, one per distinct connection (keyed by connectionKey(), a hash
 * that holds no secret). The factory that builds a producer is a parameter, so the pool's rules are
 * tested with a fake; the kafkajs producer lives in kafka/producer.ts, the process-wide pool in
 * producers.ts.
 *
 * Rules: concurrent first calls for one key share one connect; a failed connect is not kept; a
 * producer that reports a fatal failure is dropped and rebuilt on the next call; an evicted producer
 * is disconnected once the calls using it have finished; idle producers expire.
 */
import { LRUCache } from 'lru-cache'

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

/** What happens during one call: reported to that call's observer (given to use()). */
export interface CallObserver {
  hit?(key: string): void
  miss?(key: string): void
  connectFailed?(key: string, error: unknown): void
}

/**
 * What happens to a producer outside any one call (an eviction may come from the idle sweeper, a
 * disconnect ends after the calls using it): reported to the observer the pool was built with.
 */
export interface PoolObserver<S = unknown> {
  evicted?(key: string, reason: string, settings: S): void
  disconnectFailed?(key: string, error: unknown, settings: S): void
}

export interface PoolOptions<S, T> {
  factory: PoolFactory<S, T>
  /** Most producers kept at once; the least recently used is evicted past it. */
  max?: number
  /** A producer unused for this long is disconnected. */
  idleMs?: number
  /** Told of evictions and failed disconnects. */
  observer?: PoolObserver<S>
}

interface Entry<S, T> {
  key: string
  settings: S
  resource: Poolable<T>
  ready: Promise<void>
  inUse: number
  retired: boolean
  closing: boolean
  /** Settles once the producer is disconnected. */
  closed: Promise<void>
  markClosed: () => void
}

export const DEFAULT_POOL_MAX = 100
export const DEFAULT_POOL_IDLE_MS = 5 * 60_000

export class ProducerPool<S, T> {
  private readonly cache: LRUCache<string, Entry<S, T>>
  /** Retired entries not disconnected yet (still in use), so closeAll can wait for them. */
  private readonly retiring = new Set<Entry<S, T>>()
  private sweeper?: NodeJS.Timeout
  readonly max: number
  readonly idleMs: number

  constructor(private readonly options: PoolOptions<S, T>) {
    this.max = options.max ?? DEFAULT_POOL_MAX
    this.idleMs = options.idleMs ?? DEFAULT_POOL_IDLE_MS
    this.cache = new LRUCache<string, Entry<S, T>>({
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
  async use<R>(settings: S, key: string, fn: (value: T) => Promise<R>, observer?: CallObserver): Promise<R> {
    const entry = this.acquire(settings, key, observer)
    try {
      await entry.ready
      return await fn(entry.resource.value)
    } finally {
      entry.inUse--
      if (entry.retired && entry.inUse === 0) this.close(entry)
    }
  }

  private acquire(settings: S, key: string, observer?: CallObserver): Entry<S, T> {
    let entry = this.cache.get(key)
    if (entry) {
      observer?.hit?.(key)
    } else {
      observer?.miss?.(key)
      entry = this.create(settings, key, observer)
      this.cache.set(key, entry)
      this.startSweeper()
    }
    entry.inUse++
    return entry
  }

  private create(settings: S, key: string, observer?: CallObserver): Entry<S, T> {
    const resource = this.options.factory(settings, key)
    let markClosed = () => {}
    const closed = new Promise<void>((resolve) => (markClosed = resolve))
    const entry: Entry<S, T> = {
      key,
      settings,
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
      observer?.connectFailed?.(key, error)
      this.drop(entry, 'connect-failed')
      throw error
    })
    return entry
  }

  /** Takes `entry` out of the pool (if it is still the pooled one for its key) and retires it. */
  private drop(entry: Entry<S, T>, reason: string): void {
    // Retire first so the reason reported is ours, not lru-cache's 'delete' from the dispose hook.
    this.retire(entry, reason)
    if (this.cache.peek(entry.key) === entry) this.cache.delete(entry.key)
  }

  /** Marks an entry as out of the pool; it is disconnected once no call uses it. */
  private retire(entry: Entry<S, T>, reason: string): void {
    if (entry.retired) return
    entry.retired = true
    this.options.observer?.evicted?.(entry.key, reason, entry.settings)
    this.retiring.add(entry)
    if (entry.inUse === 0) this.close(entry)
  }

  private close(entry: Entry<S, T>): void {
    if (entry.closing) return
    entry.closing = true
    void entry.ready
      .catch(() => undefined)
      .then(() => entry.resource.disconnect())
      .catch((error: unknown) => this.options.observer?.disconnectFailed?.(entry.key, error, entry.settings))
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
