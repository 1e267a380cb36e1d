/**
 * The pool with real kafkajs producers on the project's broker: the factory is the real one,
 * wrapped to count what it builds and to watch each producer's connect/disconnect events.
 */
import { InvalidAuthenticationError } from '@segment/actions-core'
import { connectionKey } from '../../src/connection-identity'
import { toActionError } from '../../src/kafka/errors'
import { createKafkaProducer, type PooledProducer } from '../../src/kafka/producer'
import { ProducerPool } from '../../src/producer-pool'
import { normaliseSettings, type ConnectionSettings } from '../../src/settings'
import type { Settings } from '../../src/settings-fields'
import { createTopic } from '../helpers/kafka'
import { listenersOf, plaintextSettings } from '../helpers/settings'
import { until } from '../helpers/wait'

interface Watched {
  connects: number
  disconnects: number
}

function countingPool(max?: number) {
  const built: Watched[] = []
  const pool = new ProducerPool<ConnectionSettings, PooledProducer>({
    max,
    factory: (settings) => {
      const poolable = createKafkaProducer(settings)
      const watched = { connects: 0, disconnects: 0 }
      const { producer } = poolable.value
      producer.on(producer.events.CONNECT, () => watched.connects++)
      producer.on(producer.events.DISCONNECT, () => watched.disconnects++)
      built.push(watched)
      return poolable
    }
  })
  return { pool, built }
}

const plain = (clientId = 'pool-test'): ConnectionSettings => normaliseSettings(plaintextSettings({ clientId }))

const send = (pool: ProducerPool<ConnectionSettings, PooledProducer>, c: ConnectionSettings, topic: string) =>
  pool.use(c, connectionKey(c), ({ producer }) => producer.send({ topic, messages: [{ value: 'x' }] }))

describe('producer pool with real producers', () => {
  let topic: string
  beforeAll(async () => {
    topic = await createTopic()
  })

  it('sequential sends reuse one producer: one build, one connect', async () => {
    const { pool, built } = countingPool()
    const c = plain()
    for (let i = 0; i < 5; i++) await send(pool, c, topic)
    expect(built).toEqual([{ connects: 1, disconnects: 0 }])
    await pool.closeAll()
    expect(built).toEqual([{ connects: 1, disconnects: 1 }])
  })

  it('concurrent first calls create and connect one producer', async () => {
    const { pool, built } = countingPool()
    const c = plain()
    await Promise.all(Array.from({ length: 20 }, () => send(pool, c, topic)))
    expect(built).toEqual([{ connects: 1, disconnects: 0 }])
    await pool.closeAll()
  })

  it('eviction past the cap disconnects the least recently used producer', async () => {
    const { pool, built } = countingPool(1)
    await send(pool, plain('a'), topic)
    await send(pool, plain('b'), topic)
    // The evicted producer is disconnected in the background.
    await until(() => built[0].disconnects === 1)
    expect(built).toEqual([
      { connects: 1, disconnects: 1 },
      { connects: 1, disconnects: 0 }
    ])
    await pool.closeAll()
  })

  it('a producer that disconnects on its own is evicted and rebuilt on the next call', async () => {
    const { pool, built } = countingPool()
    const c = plain()
    await pool.use(c, connectionKey(c), ({ producer }) => producer.disconnect())
    await until(() => pool.size === 0)
    expect(pool.size).toBe(0)
    await send(pool, c, topic)
    expect(built.map((w) => w.connects)).toEqual([1, 1])
    await pool.closeAll()
  })

  it('an authentication failure is not pooled: the next call builds a new producer', async () => {
    const { pool, built } = countingPool()
    const raw: Settings = listenersOf().sasl('scram-sha-256', { password: 'wrong-password' })
    const c = normaliseSettings(raw)
    for (let i = 0; i < 2; i++) {
      const error = await send(pool, c, topic).catch((e: unknown) => toActionError(e, { settings: c }))
      expect(error).toBeInstanceOf(InvalidAuthenticationError)
      expect((error as Error).message).not.toContain('wrong-password')
      expect(pool.size).toBe(0)
    }
    expect(built).toHaveLength(2)
    await pool.closeAll()
  })
})
