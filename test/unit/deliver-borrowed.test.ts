/**
 * A topic-metadata error kafkajs raises in the sends of other topics (it refreshes the metadata of
 * all of a producer's topics together): on a producer of our own whose sends follow a script, the
 * known topics' records are retried and land, only the unknown topic's records fail.
 */
import { CompressionTypes, KafkaJSProtocolError, type Producer, type RecordMetadata } from 'kafkajs'
import type { PooledProducer } from '../../src/producer'
import { buildRecord } from '../../src/records'
import { deliverTopic, type TopicDelivery } from '../../src/send/deliver'
import { normaliseSettings } from '../../src/settings'

type Send = (topic: string) => Promise<void>

const unknownTopic = (): Error =>
  new KafkaJSProtocolError({
    message: 'This server does not host this topic-partition',
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    code: 3,
    retriable: true
  } as never)

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A pooled producer whose sendBatch runs `send` (which throws to fail) and then acknowledges at offset 7. */
function scripted(send: Send): PooledProducer {
  const producer = {
    sendBatch: async ({
      topicMessages
    }: {
      topicMessages: { topic: string; messages: { partition?: number }[] }[]
    }) => {
      const [{ topic, messages }] = topicMessages
      await send(topic)
      messages.forEach((m) => (m.partition = 0))
      return [{ topicName: topic, partition: 0, errorCode: 0, baseOffset: '7' }] as RecordMetadata[]
    }
  }
  return { producer: producer as unknown as Producer, partitionCounts: new Map(), inFlight: new Map() }
}

function deliver(pooled: PooledProducer, topic: string) {
  const d: TopicDelivery = {
    pooled,
    settings: normaliseSettings({ brokers: 'b1:9092', mechanism: 'none', ssl_enabled: false }),
    topic,
    options: { acks: -1, compression: CompressionTypes.None, batchBytes: 1_000_000, batchSize: 100 }
  }
  return deliverTopic(d, [buildRecord({ payload: { topic } })])
}

const statusOf = (outcomes: { ok: boolean; error?: unknown }[]) =>
  outcomes.map((o) => (o.ok ? 200 : (o.error as { status?: number }).status))

describe('an unknown topic’s error borrowed by the other topics of a producer', () => {
  it('a topic that started alone and fails after the unknown topic failed is retried, and lands', async () => {
    let missingFailed!: () => void
    const missingHasFailed = new Promise<void>((resolve) => (missingFailed = resolve))
    let knownCalls = 0
    const pooled = scripted(async (topic) => {
      if (topic === 'missing') {
        await tick()
        setImmediate(missingFailed)
        throw unknownTopic()
      }
      // The first send of the known topic fails with the unknown topic's error, once that one has
      // already failed and is waiting for its second attempt (no longer in flight).
      if (++knownCalls === 1) {
        await missingHasFailed
        await tick()
        throw unknownTopic()
      }
    })
    const [known, missing] = await Promise.all([deliver(pooled, 'known'), deliver(pooled, 'missing')])
    expect(statusOf(known)).toEqual([200])
    expect(statusOf(missing)).toEqual([404])
    expect(knownCalls).toBe(2)
  })

  it('second attempts take turns: none overlaps the unknown topic’s', async () => {
    let missingActive = 0
    const overlaps: string[] = []
    const pooled = scripted(async (topic) => {
      if (topic === 'missing') {
        missingActive++
        await tick()
        await tick()
        missingActive--
        throw unknownTopic()
      }
      const before = missingActive
      await tick()
      if (before > 0 || missingActive > 0) {
        overlaps.push(topic)
        throw unknownTopic()
      }
    })
    const results = await Promise.all(['known-a', 'known-b', 'missing'].map((t) => deliver(pooled, t)))
    expect(results.map(statusOf)).toEqual([[200], [200], [404]])
    // Each known topic borrowed the error once (its first attempt), never in its second.
    expect(overlaps.sort()).toEqual(['known-a', 'known-b'])
    expect(pooled.inFlight.size).toBe(0)
  })
})
