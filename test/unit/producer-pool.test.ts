import { ProducerPool, type CallObserver, type Poolable, type PoolObserver } from '../../src/producer-pool'

/** A fake producer: counts connects/disconnects, can fail its connect, can report a fatal failure. */
class Fake {
  connects = 0
  disconnects = 0
  fatal?: (reason: string) => void
  constructor(
    readonly id: number,
    private readonly connectDelayMs = 5,
    private readonly failConnect = false
  ) {}
  poolable(): Poolable<Fake> {
    return {
      value: this,
      connect: async () => {
        this.connects++
        await new Promise((r) => setTimeout(r, this.connectDelayMs))
        if (this.failConnect) throw new Error('auth failed')
      },
      disconnect: async () => {
        this.disconnects++
      },
      onFatal: (listener) => (this.fatal = listener)
    }
  }
}

function poolWith(options: { max?: number; idleMs?: number; failFirst?: boolean; observer?: PoolObserver } = {}) {
  const made: Fake[] = []
  const pool = new ProducerPool<string, Fake>({
    max: options.max,
    idleMs: options.idleMs,
    observer: options.observer,
    factory: () => {
      const fake = new Fake(made.length, 5, options.failFirst === true && made.length === 0)
      made.push(fake)
      return fake.poolable()
    }
  })
  return { pool, made }
}

const use = (pool: ProducerPool<string, Fake>, key: string, observer?: CallObserver) =>
  pool.use(key, key, async (fake) => fake, observer)

describe('ProducerPool', () => {
  it('sequential calls reuse one producer (one connect), reported as miss then hits', async () => {
    const { pool, made } = poolWith()
    const events: string[] = []
    const observer: CallObserver = { hit: () => events.push('hit'), miss: () => events.push('miss') }
    for (let i = 0; i < 5; i++) expect((await use(pool, 'a', observer)).id).toBe(0)
    expect(made).toHaveLength(1)
    expect(made[0].connects).toBe(1)
    expect(events).toEqual(['miss', 'hit', 'hit', 'hit', 'hit'])
    await pool.closeAll()
  })

  it('concurrent first calls share one connect', async () => {
    const { pool, made } = poolWith()
    const got = await Promise.all(Array.from({ length: 20 }, () => use(pool, 'a')))
    expect(new Set(got.map((f) => f.id))).toEqual(new Set([0]))
    expect(made[0].connects).toBe(1)
    await pool.closeAll()
  })

  it('different keys get different producers', async () => {
    const { pool, made } = poolWith()
    await use(pool, 'a')
    await use(pool, 'b')
    expect(made).toHaveLength(2)
    expect(pool.size).toBe(2)
    await pool.closeAll()
  })

  it('past the cap, the least recently used producer is evicted and disconnected', async () => {
    const evicted: string[] = []
    const observer: PoolObserver = { evicted: (key, reason) => evicted.push(`${key}:${reason}`) }
    const { pool, made } = poolWith({ max: 2, observer })
    await use(pool, 'a')
    await use(pool, 'b')
    await use(pool, 'a')
    await use(pool, 'c')
    await new Promise((r) => setImmediate(r))
    expect(made.map((f) => f.disconnects)).toEqual([0, 1, 0])
    expect(evicted).toEqual(['b:evict'])
    await pool.closeAll()
  })

  it('an evicted producer is not disconnected while a call still uses it', async () => {
    const { pool, made } = poolWith({ max: 1 })
    let release = () => {}
    const busy = pool.use('a', 'a', () => new Promise<void>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 20))
    await use(pool, 'b') // evicts a
    expect(made[0].disconnects).toBe(0)
    release()
    await busy
    await new Promise((r) => setImmediate(r))
    expect(made[0].disconnects).toBe(1)
    await pool.closeAll()
  })

  it('idle producers expire and are disconnected', async () => {
    const { pool, made } = poolWith({ idleMs: 30 })
    await use(pool, 'a')
    await new Promise((r) => setTimeout(r, 60))
    await use(pool, 'a')
    expect(made).toHaveLength(2)
    await new Promise((r) => setImmediate(r))
    expect(made[0].disconnects).toBe(1)
    await pool.closeAll()
  })

  it('a failed connect is not kept: every waiter gets the error, the next call builds a new producer', async () => {
    const { pool, made } = poolWith({ failFirst: true })
    const failures: string[] = []
    const observer: CallObserver = { connectFailed: (key) => failures.push(key) }
    const results = await Promise.allSettled([use(pool, 'a', observer), use(pool, 'a', observer)])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(made).toHaveLength(1)
    expect(failures).toEqual(['a'])
    expect((await use(pool, 'a')).id).toBe(1)
    await pool.closeAll()
  })

  it('a producer reporting a fatal failure is evicted and rebuilt on the next call', async () => {
    const evicted: string[] = []
    const { pool, made } = poolWith({ observer: { evicted: (_k, reason) => evicted.push(reason) } })
    await use(pool, 'a')
    made[0].fatal?.('disconnected')
    expect(pool.size).toBe(0)
    expect((await use(pool, 'a')).id).toBe(1)
    expect(evicted).toEqual(['disconnected'])
    await pool.closeAll()
  })

  it('evict(key) drops and disconnects one producer', async () => {
    const { pool, made } = poolWith()
    await use(pool, 'a')
    pool.evict('a', 'authentication-failed')
    await new Promise((r) => setImmediate(r))
    expect(made[0].disconnects).toBe(1)
    expect((await use(pool, 'a')).id).toBe(1)
    await pool.closeAll()
  })

  it('closeAll disconnects every producer, waits for calls in progress, and the pool stays usable', async () => {
    const { pool, made } = poolWith()
    await use(pool, 'a')
    let release = () => {}
    const busy = pool.use('b', 'b', () => new Promise<void>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 20))
    let closed = false
    const closing = pool.closeAll().then(() => (closed = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(closed).toBe(false)
    release()
    await busy
    await closing
    expect(made.map((f) => f.disconnects)).toEqual([1, 1])
    expect(pool.size).toBe(0)
    expect((await use(pool, 'a')).id).toBe(2)
    await pool.closeAll()
  })
})
