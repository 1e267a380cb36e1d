/**
 * Concurrent single-event sends share produce requests (src/send/coalesce.ts): against the project's
 * broker, counting the Produce requests kafkajs makes, and reading every record back with kcat.
 */
import { createTestEvent, createTestIntegration, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import type { Producer } from 'kafkajs'
import definition from '../../src'
import { connectionKey } from '../../src/connection-identity'
import { closeAllProducers, producerPool } from '../../src/producers'
import { normaliseSettings } from '../../src/settings'
import { createTopic, deleteTopics, plainKafka, readTopic, uniqueTopic } from '../helpers/kafka'
import { broker } from '../helpers/kafka'

const settings = () => ({ brokers: broker().bootstrap.plaintext, mechanism: 'none', ssl_enabled: false })
const extraTopics: string[] = []

afterAll(async () => {
  await closeAllProducers()
  await deleteTopics(extraTopics)
})

interface Sent {
  topic: string
  partition: number
  offset: string
}

async function sendOne(event: Partial<SegmentEvent>, mapping: JSONObject, statsContext?: unknown): Promise<Sent> {
  const t = createTestIntegration(definition)
  await t.testAction('send', {
    settings: settings(),
    event: createTestEvent(event),
    mapping,
    useDefaultMappings: true,
    ...(statsContext ? { statsContext: statsContext as never } : {})
  })
  return t.results[t.results.length - 1].data as unknown as Sent
}

/** Counts the Produce requests of the pooled producer of settings() from now on. */
async function countProduceRequests(): Promise<{ count: () => number; stop: () => void }> {
  const connection = normaliseSettings(settings())
  const producer = await producerPool.use(connection, connectionKey(connection), async (p) => p.producer)
  let count = 0
  const stop = (producer as Producer).on(producer.events.REQUEST, (e) => {
    if (e.payload.apiName === 'Produce') count++
  })
  return { count: () => count, stop }
}

it('concurrent performs share produce requests; each caller gets its own partition and offset', async () => {
  const topic = await createTopic(undefined, 3)
  await sendOne({ userId: 'warm-up' }, { topic })
  const produce = await countProduceRequests()

  const n = 64
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => sendOne({ userId: `user-${i % 8}`, properties: { i } }, { topic }))
  )
  produce.stop()
  // One request goes alone at once; the calls arriving while it is in flight go in the next ones.
  expect(produce.count()).toBeLessThanOrEqual(n / 4)
  expect(produce.count()).toBeGreaterThanOrEqual(1)

  const records = (await readTopic(topic)).filter((r) => r.key !== 'warm-up')
  expect(records).toHaveLength(n)
  const byI = new Map(records.map((r) => [JSON.parse(r.value ?? '{}').properties.i as number, r]))
  results.forEach((sent, i) => {
    const record = byI.get(i)
    expect(record).toBeDefined()
    expect(sent).toEqual({ topic, partition: record?.partition, offset: String(record?.offset) })
    expect(record?.key).toBe(`user-${i % 8}`)
  })
  // Every (partition, offset) was reported to exactly one caller.
  expect(new Set(results.map((s) => `${s.partition}:${s.offset}`)).size).toBe(n)
}, 60_000)

it('sequential performs are sent one request each, at once (no waiting for company)', async () => {
  const topic = await createTopic()
  await sendOne({ userId: 'warm-up' }, { topic })
  const produce = await countProduceRequests()
  for (let i = 0; i < 5; i++) {
    expect(await sendOne({ userId: 'u', properties: { i } }, { topic })).toEqual({
      topic,
      partition: 0,
      offset: String(i + 1)
    })
  }
  produce.stop()
  expect(produce.count()).toBe(5)
}, 60_000)

it('a bad record fails alone while coalesced: the others of the same requests are sent', async () => {
  // A topic that refuses record batches above 4,000 bytes: the coalesced request is too large as a
  // whole, is split until it fits, and only the one oversized record fails.
  const topic = uniqueTopic('coalesce-small')
  const admin = plainKafka('test-admin').admin()
  await admin.connect()
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: '4000' }] }]
  })
  await admin.disconnect()
  extraTopics.push(topic)
  await sendOne({ userId: 'warm-up' }, { topic })

  const outcomes = await Promise.allSettled(
    Array.from({ length: 24 }, (_, i) => {
      const properties: JSONObject = i === 5 ? { i, big: 'x'.repeat(6000) } : { i }
      const mapping: JSONObject = i === 9 ? { topic, partition: 7 } : { topic }
      return sendOne({ userId: `user-${i}`, properties }, mapping)
    })
  )
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []))
  expect(failed).toEqual([5, 9])
  expect((outcomes[5] as PromiseRejectedResult).reason).toMatchObject({ code: 'MESSAGE_TOO_LARGE' })
  expect((outcomes[9] as PromiseRejectedResult).reason).toMatchObject({ code: 'PARTITION_OUT_OF_RANGE', status: 400 })

  // Every other record landed, at the partition and offset its caller was told. (The broker may have
  // taken some partitions of the refused request: those are written again, at least once.)
  const records = (await readTopic(topic)).filter((r) => r.key !== 'warm-up')
  const at = new Map(records.map((r) => [`${r.partition}:${r.offset}`, JSON.parse(r.value ?? '{}').properties.i]))
  expect([...new Set(at.values())].sort((a, b) => a - b)).toEqual(
    Array.from({ length: 24 }, (_, i) => i).filter((i) => i !== 5 && i !== 9)
  )
  for (const [i, o] of outcomes.entries()) {
    if (o.status === 'fulfilled') expect(at.get(`${o.value.partition}:${o.value.offset}`)).toBe(i)
  }
}, 60_000)

it('stats of a coalesced request go to each caller, for its own record', async () => {
  const topic = await createTopic()
  await sendOne({ userId: 'warm-up' }, { topic })
  const counters = Array.from({ length: 16 }, () => new Map<string, number>())
  await Promise.all(
    counters.map((counts, i) =>
      sendOne(
        { userId: 'u', properties: { i } },
        { topic },
        {
          tags: [],
          statsClient: {
            incr: (name: string, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
            histogram: (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1)
          }
        }
      )
    )
  )
  for (const counts of counters) {
    expect(counts.get('kafka.messages_sent')).toBe(1)
    expect(counts.get('kafka.send_latency_ms')).toBe(1)
    expect(counts.get('kafka.bytes_sent')).toBeGreaterThan(100)
  }
}, 60_000)
