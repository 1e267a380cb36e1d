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

interface Call {
  topic: string
  others: string[]
  answer: (metadata: RecordMetadata[]) => void
  fail: (error: Error) => void
}

/** Every sendBatch waits for the test to answer it; `calls` says which topics were in flight with it. */
function standIn() {
  const calls: Call[] = []
  const inFlight = new Set<string>()
  const producer = {
    sendBatch: (batch: ProducerBatch) =>
      new Promise<RecordMetadata[]>((resolve, reject) => {
        const topic = batch.topicMessages?.[0].topic as string
        batch.topicMessages?.[0].messages.forEach((m, i) => (m.partition ??= i % 2))
        calls.push({
          topic,
          others: [...inFlight],
          answer: (m) => (inFlight.delete(topic), resolve(m)),
          fail: (e) => (inFlight.delete(topic), reject(e))
        })
        inFlight.add(topic)
      })
  }
  const pooled = new PooledProducer({ producer: () => producer } as unknown as Kafka)
  return { pooled, calls }
}

/** The good topic's request succeeds; the bad topic's fails with its own error. */
const settle = (call: Call): void => {
  if (call.topic === 'good') call.answer(ok('good', [0, 1]))
  else call.fail(unknownTopic())
}
const flush = () => new Promise((resolve) => setImmediate(resolve))
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
