/**
 * The producer wrapper's own rules, with a stand-in for the kafkajs producer (what is sent is proven
 * against the broker in test/integration/): placements per record, and the second attempt after a
 * topic-metadata error borrowed from another topic.
 */
import { KafkaJSProtocolError, type Kafka, type ProducerBatch, type RecordMetadata } from 'kafkajs'
import { PooledProducer } from '../../src/kafka/producer'

const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => Error
}
const UNKNOWN_TOPIC = 3
const REQUEST_TIMED_OUT = 7

interface Call {
  topic: string
  others: string[]
  answer: (metadata: RecordMetadata[]) => void
  fail: (error: Error) => void
}

interface Built {
  options: { idempotent?: boolean }
  connects: number
  disconnects: number
}

/**
 * Every sendBatch waits for the test to answer it; `calls` says which topics were in flight with it
 * and which producer (by build order) sent it; `built` lists the kafkajs producers built.
 */
function standIn(idempotent = false) {
  const calls: (Call & { producer: number })[] = []
  const built: Built[] = []
  const inFlight = new Set<string>()
  const kafka = {
    producer: (options: { idempotent?: boolean }) => {
      const n = built.length
      const b: Built = { options, connects: 0, disconnects: 0 }
      built.push(b)
      return {
        events: { DISCONNECT: 'producer.disconnect' },
        on: () => () => undefined,
        connect: async () => void b.connects++,
        disconnect: async () => void b.disconnects++,
        sendBatch: (batch: ProducerBatch) =>
          new Promise<RecordMetadata[]>((resolve, reject) => {
            const topic = batch.topicMessages?.[0].topic as string
            batch.topicMessages?.[0].messages.forEach((m, i) => (m.partition ??= i % 2))
            calls.push({
              topic,
              producer: n,
              others: [...inFlight],
              answer: (m) => (inFlight.delete(topic), resolve(m)),
              fail: (e) => (inFlight.delete(topic), reject(e))
            })
            inFlight.add(topic)
          })
      }
    }
  }
  const pooled = new PooledProducer(kafka as unknown as Kafka, undefined, idempotent)
  return { pooled, calls, built }
}

/** The good topic's request succeeds; the bad topic's fails with its own error. */
const settle = (call: Call): void => {
  if (call.topic === 'good') call.answer(ok('good', [0, 1]))
  else call.fail(unknownTopic())
}
const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
}
const unknownTopic = () => new KafkaJSProtocolError(createErrorFromCode(UNKNOWN_TOPIC))
const ok = (topic: string, partitions: number[]): RecordMetadata[] =>
  partitions.map((partition) => ({ topicName: topic, partition, errorCode: 0, baseOffset: String(10 * partition) }))
const options = { acks: -1, compression: 'none' as const }
const messages = () => [{ value: 'a' }, { value: 'b' }, { value: 'c' }]

describe('PooledProducer', () => {
  it('gives each record its partition and its partition’s base offset', async () => {
    const { pooled, calls } = standIn()
    const sent = pooled.send('t', messages(), options)
    await flush()
    calls[0].answer(ok('t', [0]))
    expect(await sent).toEqual([{ partition: 0, baseOffset: '0' }, { partition: 1 }, { partition: 0, baseOffset: '0' }])
  })

  it('a metadata error while another topic is in flight is tried once more, alone, after the others settle', async () => {
    const { pooled, calls } = standIn()
    const good = pooled.send('good', messages(), options)
    const bad = pooled.send('bad', messages(), options)
    await flush()
    // Both fail with the bad topic's error (kafkajs refreshes their metadata together).
    calls[0].fail(unknownTopic())
    calls[1].fail(unknownTopic())
    await flush()
    await flush()
    // One second attempt at a time, each with no other topic in flight.
    expect(calls).toHaveLength(3)
    expect(calls[2].others).toEqual([])
    settle(calls[2])
    await flush()
    await flush()
    expect(calls).toHaveLength(4)
    expect(calls[3].others).toEqual([])
    settle(calls[3])
    await expect(good).resolves.toHaveLength(3)
    await expect(bad).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' })
  })

  it('a metadata error with no other topic in flight is the topic’s own: not tried again', async () => {
    const { pooled, calls } = standIn()
    const bad = pooled.send('bad', messages(), options)
    await flush()
    calls[0].fail(unknownTopic())
    await expect(bad).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' })
    expect(calls).toHaveLength(1)
  })
})

describe('PooledProducer with idempotent delivery', () => {
  const timedOut = () => new KafkaJSProtocolError(createErrorFromCode(REQUEST_TIMED_OUT))

  it('acks-all sends go to an idempotent producer, one at a time', async () => {
    const { pooled, calls, built } = standIn(true)
    await pooled.connect()
    const first = pooled.send('t', messages(), options)
    const second = pooled.send('t', messages(), options)
    await flush()
    expect(calls).toHaveLength(1)
    calls[0].answer(ok('t', [0, 1]))
    await flush()
    expect(calls).toHaveLength(2)
    calls[1].answer(ok('t', [0, 1]))
    await Promise.all([first, second])
    expect(built).toEqual([{ options: expect.objectContaining({ idempotent: true }), connects: 1, disconnects: 0 }])
  })

  it('a failed send retires its producer: the sends after it (queued ones too) go to a fresh one, the old one is disconnected', async () => {
    const { pooled, calls, built } = standIn(true)
    await pooled.connect()
    const failing = pooled.send('t', messages(), options)
    const queued = pooled.send('t', messages(), options)
    await flush()
    calls[0].fail(timedOut())
    await expect(failing).rejects.toMatchObject({ type: 'REQUEST_TIMED_OUT' })
    await flush()
    expect(calls.map((c) => c.producer)).toEqual([0, 1])
    calls[1].answer(ok('t', [0, 1]))
    await queued
    expect(built.map(({ connects, disconnects }) => ({ connects, disconnects }))).toEqual([
      { connects: 1, disconnects: 1 },
      { connects: 1, disconnects: 0 }
    ])
    expect(pooled.retired).toBe(1)
    await pooled.disconnect()
    expect(built[1].disconnects).toBe(1)
  })

  it('a response missing a partition it wrote to retires the producer (kafkajs may leave one unsent)', async () => {
    const { pooled, calls } = standIn(true)
    await pooled.connect()
    const sent = pooled.send('t', messages(), options)
    await flush()
    // The stand-in puts records on partitions 0 and 1; the answer names partition 0 only.
    calls[0].answer(ok('t', [0]))
    expect(await sent).toEqual([{ partition: 0, baseOffset: '0' }, { partition: 1 }, { partition: 0, baseOffset: '0' }])
    expect(pooled.retired).toBe(1)
    void pooled.send('t', messages(), options)
    await flush()
    expect(calls[1].producer).toBe(1)
  })

  it('acks leader or none go to a producer without idempotence, built and connected on first use, not serialised', async () => {
    const { pooled, calls, built } = standIn(true)
    await pooled.connect()
    const all = pooled.send('t', messages(), options)
    const leader = pooled.send('t', messages(), { ...options, acks: 1 })
    await flush()
    expect(calls.map((c) => c.producer)).toEqual([0, 1])
    expect(built[1].options.idempotent).toBeUndefined()
    expect(built[1].connects).toBe(1)
    calls[1].fail(timedOut())
    await expect(leader).rejects.toMatchObject({ type: 'REQUEST_TIMED_OUT' })
    calls[0].answer(ok('t', [0, 1]))
    await all
    // A failure of the plain producer retires nothing.
    expect(pooled.retired).toBe(0)
  })

  it('without idempotent delivery one plain producer sends everything, concurrently', async () => {
    const { pooled, calls, built } = standIn(false)
    await pooled.connect()
    void pooled.send('t', messages(), options)
    void pooled.send('t', messages(), { ...options, acks: 1 })
    await flush()
    expect(calls.map((c) => c.producer)).toEqual([0, 0])
    expect(built).toHaveLength(1)
    expect(built[0].options.idempotent).toBeUndefined()
  })
})
