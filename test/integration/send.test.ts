/**
 * The send action against the project's broker; every record is read back with kcat (librdkafka).
 */
import { execFile } from 'node:child_process'
import {
  createTestEvent,
  createTestIntegration,
  IntegrationError,
  type JSONObject,
  PayloadValidationError,
  type SegmentEvent
} from '@segment/actions-core'
import definition from '../../src'
import { closeAllProducers, producerPool } from '../../src/producers'
import { broker, createTopic, readTopic, type ReadRecord } from '../helpers/kafka'
import { javaPartition } from '../helpers/murmur2'

afterAll(closeAllProducers)

const settings = () => ({ brokers: broker().bootstrap.plaintext, mechanism: 'none', ssl_enabled: false })

interface MultiStatusEntry {
  status: number
  errortype?: string
  errormessage?: string
  body?: { code?: string; topic?: string; partition?: number; offset?: string }
}

async function sendOne(event: Partial<SegmentEvent>, mapping: JSONObject) {
  const t = createTestIntegration(definition)
  await t.testAction('send', { settings: settings(), event: createTestEvent(event), mapping, useDefaultMappings: true })
  return t.results[t.results.length - 1].data as { topic: string; partition: number; offset: string }
}

async function sendBatch(events: Partial<SegmentEvent>[], mapping: JSONObject): Promise<MultiStatusEntry[]> {
  const t = createTestIntegration(definition)
  await t.testBatchAction('send', {
    settings: settings(),
    events: events.map((e) => createTestEvent(e)),
    mapping,
    useDefaultMappings: true
  })
  return (t.results[0] as unknown as { multistatus: MultiStatusEntry[] }).multistatus
}

const byValue = (records: ReadRecord[], field: string) =>
  new Map(records.map((r) => [JSON.parse(r.value ?? '{}').properties?.[field], r]))

describe('send: records as mapped', () => {
  it('value, key, headers and timestamp land as mapped; perform returns the partition and offset', async () => {
    const topic = await createTopic()
    const result = await sendOne(
      { userId: 'user-1', timestamp: '2024-05-06T07:08:09.123Z', properties: { plan: 'pro', n: 3, ok: true } },
      {
        topic,
        headers: {
          plan: { '@path': '$.properties.plan' },
          n: { '@path': '$.properties.n' },
          ok: { '@path': '$.properties.ok' },
          props: { '@path': '$.properties' },
          missing: { '@path': '$.properties.nothing' }
        }
      }
    )
    const [record] = await readTopic(topic)
    expect(result).toEqual({ topic, partition: 0, offset: '0' })
    expect(record.key).toBe('user-1')
    expect(record.timestamp).toBe(Date.parse('2024-05-06T07:08:09.123Z'))
    expect(record.headers).toEqual({ plan: 'pro', n: '3', ok: 'true', props: '{"plan":"pro","n":3,"ok":true}' })
    const value = JSON.parse(record.value ?? '')
    expect(value).toMatchObject({ userId: 'user-1', type: 'track', properties: { plan: 'pro', n: 3, ok: true } })
  })

  it('the key defaults to the anonymousId when there is no userId; a mapped payload replaces the event', async () => {
    const topic = await createTopic()
    await sendOne({ userId: null, anonymousId: 'anon-9' }, { topic, payload: { e: { '@path': '$.event' } } })
    const [record] = await readTopic(topic)
    expect(record.key).toBe('anon-9')
    expect(JSON.parse(record.value ?? '')).toEqual({ e: 'Test Event' })
  })

  it('explicit partition, then default partition', async () => {
    const topic = await createTopic(undefined, 4)
    expect((await sendOne({ userId: 'u' }, { topic, partition: 3, default_partition: 1 })).partition).toBe(3)
    expect((await sendOne({ userId: 'u' }, { topic, default_partition: 2 })).partition).toBe(2)
    const records = await readTopic(topic)
    expect(records.map((r) => r.partition).sort()).toEqual([2, 3])
  })
})

describe('send: partitioning', () => {
  const keys = Array.from({ length: 60 }, (_, i) => `user-${i}`)

  it('key -> partition equals the Java client’s murmur2 on a 6-partition topic', async () => {
    const topic = await createTopic(undefined, 6)
    const statuses = await sendBatch(
      keys.map((userId) => ({ userId })),
      { topic }
    )
    expect(statuses.every((s) => s.status === 200)).toBe(true)
    const records = await readTopic(topic)
    expect(records).toHaveLength(keys.length)
    for (const r of records) expect([r.key, r.partition]).toEqual([r.key, javaPartition(r.key ?? '', 6)])
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1)
  })

  it('and equals what librdkafka’s murmur2 partitioner (kcat) picks for the same keys', async () => {
    const ours = await createTopic(undefined, 6)
    const theirs = await createTopic(undefined, 6)
    await sendBatch(
      keys.map((userId) => ({ userId })),
      { topic: ours }
    )
    const input = keys.map((k) => `${k}\t{}`).join('\n') + '\n'
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'kcat',
        ['-P', '-b', broker().bootstrap.plaintext, '-t', theirs, '-K', '\t', '-X', 'topic.partitioner=murmur2'],
        (error) => (error ? reject(error) : resolve())
      )
      child.stdin?.end(input)
    })
    const partitionOf = (records: ReadRecord[]) => new Map(records.map((r) => [r.key, r.partition]))
    const [a, b] = await Promise.all([readTopic(ours), readTopic(theirs)])
    expect(b).toHaveLength(keys.length)
    expect(partitionOf(a)).toEqual(partitionOf(b))
  })

  it('records without a key are spread over the partitions', async () => {
    const topic = await createTopic(undefined, 4)
    const statuses = await sendBatch(
      Array.from({ length: 40 }, () => ({ userId: null, anonymousId: null })),
      { topic, key: { '@path': '$.properties.none' } }
    )
    expect(statuses.every((s) => s.status === 200)).toBe(true)
    const records = await readTopic(topic)
    expect(records.every((r) => r.key === null)).toBe(true)
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThanOrEqual(3)
  })
})

describe('send: a 1,000-event batch with a few bad events', () => {
  it('reports exactly the right status per event and only the good events land, in order per key', async () => {
    const topic = await createTopic(undefined, 4)
    const bad: Record<number, { why: string; status: number; code: string }> = {
      10: { why: 'partition', status: 400, code: 'PARTITION_OUT_OF_RANGE' },
      500: { why: 'partition', status: 400, code: 'PARTITION_OUT_OF_RANGE' },
      20: { why: 'large', status: 400, code: 'MESSAGE_TOO_LARGE' },
      700: { why: 'large', status: 400, code: 'MESSAGE_TOO_LARGE' },
      30: { why: 'timestamp', status: 400, code: 'PAYLOAD_VALIDATION_FAILED' }
    }
    const events = Array.from({ length: 1000 }, (_, i) => ({
      userId: `user-${i % 37}`,
      properties: {
        i,
        ts: bad[i]?.why === 'timestamp' ? 'not a date' : '2024-01-01T00:00:00.000Z',
        ...(bad[i]?.why === 'partition' ? { partition: 4 } : {}),
        ...(bad[i]?.why === 'large' ? { blob: 'x'.repeat(20_000) } : {})
      }
    }))
    const statuses = await sendBatch(events, {
      topic,
      partition: { '@path': '$.properties.partition' },
      timestamp: { '@path': '$.properties.ts' },
      headers: { i: { '@path': '$.properties.i' } },
      batch_bytes: 16_384
    })
    expect(statuses).toHaveLength(1000)
    statuses.forEach((s, i) => {
      if (bad[i]) {
        expect([i, s.status, s.body?.code]).toEqual([i, bad[i].status, bad[i].code])
      } else {
        expect([i, s.status]).toEqual([i, 200])
      }
    })
    expect(statuses[10].errormessage).toMatch(`topic "${topic}" has 4 partitions`)

    const records = await readTopic(topic)
    const good = events.map((_, i) => i).filter((i) => !bad[i])
    expect(records).toHaveLength(good.length)
    const landed = byValue(records, 'i')
    expect([...landed.keys()].sort((a, b) => a - b)).toEqual(good)
    // What each event's status said is where kcat found it.
    for (const i of good) {
      const r = landed.get(i) as ReadRecord
      expect([i, r.partition, String(r.offset)]).toEqual([i, statuses[i].body?.partition, statuses[i].body?.offset])
      expect(r.headers).toEqual({ i: String(i) })
    }
    // Per key, offsets grow with the event order.
    const perKey = new Map<string, number[]>()
    for (const i of good) {
      const r = landed.get(i) as ReadRecord
      perKey.set(r.key ?? '', [...(perKey.get(r.key ?? '') ?? []), r.offset])
    }
    for (const offsets of perKey.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
  })
})

describe('send: errors', () => {
  it('an out-of-range partition is a non-retryable 400 naming the topic and its partition count', async () => {
    const topic = await createTopic(undefined, 2)
    const error = await sendOne({ userId: 'u' }, { topic, partition: 5 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrationError)
    expect(error).toMatchObject({ status: 400, code: 'PARTITION_OUT_OF_RANGE' })
    expect((error as Error).message).toMatch(`topic "${topic}" has 2 partitions`)
    expect(await readTopic(topic)).toHaveLength(0)
  })

  it('an event over batch_bytes is a PayloadValidationError (400)', async () => {
    const topic = await createTopic()
    const error = await sendOne({ properties: { blob: 'x'.repeat(5000) } }, { topic, batch_bytes: 2048 }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(PayloadValidationError)
    expect(error).toMatchObject({ status: 400, code: 'MESSAGE_TOO_LARGE' })
  })

  it('an event over the broker’s limit fails alone (400 from the broker) while its batch lands', async () => {
    const topic = await createTopic()
    const statuses = await sendBatch(
      [0, 1, 2, 3].map((i) => ({ properties: { i, ...(i === 2 ? { blob: 'x'.repeat(1_200_000) } : {}) } })),
      { topic, batch_bytes: 5_000_000 }
    )
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 400, 200])
    expect(statuses[2]).toMatchObject({ errortype: 'PAYLOAD_VALIDATION_FAILED', body: { code: 'MESSAGE_TOO_LARGE' } })
    const records = await readTopic(topic)
    expect([...byValue(records, 'i').keys()].sort()).toEqual([0, 1, 3])
  })

  it('invalid settings are a 400 naming the field, without a connection', async () => {
    const t = createTestIntegration(definition)
    const error = await t
      .testAction('send', {
        settings: { brokers: 'no-port', mechanism: 'none', ssl_enabled: false },
        event: createTestEvent({}),
        mapping: { topic: 'x' },
        useDefaultMappings: true
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 400 })
    expect((error as Error).message).toMatch(/brokers/)
  })
})

describe('send: compression codecs, read back by librdkafka', () => {
  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('%s', async (compression) => {
    const topic = await createTopic()
    const statuses = await sendBatch(
      Array.from({ length: 25 }, (_, i) => ({ userId: `u${i % 3}`, properties: { i, text: 'abc'.repeat(100) } })),
      { topic, compression }
    )
    expect(statuses.every((s) => s.status === 200)).toBe(true)
    const records = await readTopic(topic)
    expect([...byValue(records, 'i').keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i))
    expect(JSON.parse(records[0].value ?? '').properties.text).toBe('abc'.repeat(100))
  })
})

describe('send: acks', () => {
  it.each([
    ['all', true],
    ['leader', true],
    ['none', false]
  ])('acks %s lands every record (offsets reported: %s)', async (acks, withOffsets) => {
    const topic = await createTopic()
    const statuses = await sendBatch(
      [1, 2, 3].map((i) => ({ properties: { i } })),
      { topic, acks }
    )
    expect(statuses.every((s) => s.status === 200)).toBe(true)
    expect(statuses.every((s) => (s.body?.offset !== undefined) === withOffsets)).toBe(true)
    await new Promise((r) => setTimeout(r, acks === 'none' ? 500 : 0))
    expect(await readTopic(topic)).toHaveLength(3)
  })
})

describe('send: the producer pool', () => {
  it('sequential events reuse one producer, and stats count the pool, messages, bytes and latency', async () => {
    await closeAllProducers()
    const topic = await createTopic()
    const counts = new Map<string, number>()
    const statsContext = {
      tags: ['destination:kafka'],
      statsClient: {
        incr: (name: string, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
        histogram: (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1)
      }
    } as never
    const logs: string[] = []
    const logger = { info: (m: string) => logs.push(m) } as never
    const t = createTestIntegration(definition)
    for (let i = 0; i < 5; i++) {
      await t.testAction('send', {
        settings: settings(),
        event: createTestEvent({ properties: { i } }),
        mapping: { topic },
        useDefaultMappings: true,
        statsContext,
        logger
      })
    }
    expect(producerPool.size).toBe(1)
    expect(counts.get('kafka.pool.miss')).toBe(1)
    expect(counts.get('kafka.pool.hit')).toBe(4)
    expect(counts.get('kafka.messages_sent')).toBe(5)
    expect(counts.get('kafka.bytes_sent')).toBeGreaterThan(500)
    expect(counts.get('kafka.send_latency_ms')).toBe(5)
    expect(logs.filter((l) => l.includes('connecting a producer'))).toHaveLength(1)
    expect(logs.join('\n')).toMatch('no authentication to 127.0.0.1')
    expect(await readTopic(topic)).toHaveLength(5)
  })
})
