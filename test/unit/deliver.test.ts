import { KafkaJSProtocolError } from 'kafkajs'
import type { OutgoingMessage, RecordPlacement, SendOptions, TopicProducer } from '../../src/kafka/types'
import { buildRecord, type BuiltRecord } from '../../src/records'
import { chunk, deliverTopic, type DeliveryOptions, type Outcome } from '../../src/send/deliver'
import { normaliseSettings } from '../../src/settings'

const record = (bytes: number): BuiltRecord => ({ ...buildRecord({ payload: {} }), size: bytes })

describe('chunk', () => {
  it('keeps the order and splits on bytes', () => {
    const records = [40, 40, 40, 10, 90, 5].map(record)
    expect(chunk(records, 100, 1000).map((c) => c.map((r) => r.size))).toEqual([
      [40, 40],
      [40, 10],
      [90, 5]
    ])
  })

  it('splits on count', () => {
    expect(chunk([1, 1, 1, 1, 1].map(record), 1000, 2).map((c) => c.length)).toEqual([2, 2, 1])
  })

  it('a record alone at the limit is a chunk of its own', () => {
    expect(chunk([100, 100].map(record), 100, 10).map((c) => c.length)).toEqual([1, 1])
  })

  it('no records, no chunks', () => {
    expect(chunk([], 100, 10)).toEqual([])
  })
})

// ---- deliverTopic against a fake producer (the port's TopicProducer) ----

const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => Error
}
const kafkaError = (code: number): Error => new KafkaJSProtocolError(createErrorFromCode(code))
const MESSAGE_TOO_LARGE = 10
const UNKNOWN_TOPIC = 3

/**
 * A producer with `partitions` partitions that places a keyed record by its key's number (`k<n>`), like
 * a partitioner writes the partition on the message, and keeps each partition's log. `refuse` decides
 * per request whether it fails as a whole.
 */
class FakeProducer implements TopicProducer {
  readonly logs = new Map<number, string[]>()
  readonly requests: string[][] = []
  constructor(
    private readonly partitions = 2,
    private readonly refuse: (values: string[]) => Error | undefined = () => undefined,
    private readonly acknowledged: (partition: number) => boolean = () => true
  ) {}
  partitionCount(): number {
    return this.partitions
  }
  async send(_topic: string, messages: readonly OutgoingMessage[], options: SendOptions): Promise<RecordPlacement[]> {
    const values = messages.map((m) => m.value)
    this.requests.push(values)
    await Promise.resolve()
    for (const m of messages) m.partition ??= Number(/\d+/.exec(m.key ?? '0')?.[0] ?? 0) % this.partitions
    const refusal = this.refuse(values)
    if (refusal) throw refusal
    const base = new Map<number, number>()
    for (const m of messages) {
      if (m.partition === undefined) continue
      if (m.partition >= this.partitions) continue
      const log = this.logs.get(m.partition) ?? []
      if (!base.has(m.partition)) base.set(m.partition, log.length)
      log.push(m.value)
      this.logs.set(m.partition, log)
    }
    return messages.map(({ partition }) => {
      const first = base.get(partition as number)
      return first === undefined || options.acks === 0 || !this.acknowledged(partition as number)
        ? { partition }
        : { partition, baseOffset: String(first) }
    })
  }
}

const settings = normaliseSettings({ brokers: 'b:1', mechanism: 'none', ssl_enabled: false })
const options = (extra: Partial<DeliveryOptions> = {}): DeliveryOptions => ({
  acks: -1,
  compression: 'none',
  batchBytes: 1_000_000,
  batchSize: 1000,
  ...extra
})
const rec = (n: number, key = `k${n}`, bytes?: number): BuiltRecord => {
  const built = buildRecord({ payload: { n }, key })
  return bytes === undefined ? built : { ...built, size: bytes }
}
const deliver = (producer: TopicProducer, records: BuiltRecord[], o = options()): Promise<Outcome[]> =>
  deliverTopic({ producer, settings, topic: 't', options: o }, records)
const summary = (outcomes: Outcome[]) =>
  outcomes.map((o) => (o.ok ? `${o.sent.partition}@${o.sent.offset ?? '-'}` : (o.error as { code?: string }).code))

describe('deliverTopic', () => {
  it('matches each record with its partition’s offsets, across chunks, in order', async () => {
    const producer = new FakeProducer(2)
    const records = [rec(0), rec(1), rec(2), rec(3), rec(4)]
    const outcomes = await deliver(producer, records, options({ batchSize: 2 }))
    expect(summary(outcomes)).toEqual(['0@0', '1@0', '0@1', '1@1', '0@2'])
    expect(producer.requests).toHaveLength(3)
  })

  it('a record above batch_bytes fails alone; the others are sent', async () => {
    const producer = new FakeProducer(1)
    const outcomes = await deliver(producer, [rec(0), rec(1, 'k0', 5000), rec(2, 'k0')], options({ batchBytes: 1024 }))
    expect(summary(outcomes)).toEqual(['0@0', 'MESSAGE_TOO_LARGE', '0@1'])
  })

  it('a request refused as too large is halved until the culprit is alone, keeping the order', async () => {
    const culprit = JSON.stringify({ n: 2 })
    const producer = new FakeProducer(1, (values) =>
      values.includes(culprit) ? kafkaError(MESSAGE_TOO_LARGE) : undefined
    )
    const outcomes = await deliver(
      producer,
      [0, 1, 2, 3].map((n) => rec(n, 'k0'))
    )
    expect(summary(outcomes)).toEqual(['0@0', '0@1', 'MESSAGE_TOO_LARGE', '0@2'])
    expect(producer.logs.get(0)).toEqual([0, 1, 3].map((n) => JSON.stringify({ n })))
  })

  it('a too-large refusal of a request over several partitions resends each partition on its own', async () => {
    const culprit = JSON.stringify({ n: 1 })
    const producer = new FakeProducer(2, (values) =>
      values.includes(culprit) ? kafkaError(MESSAGE_TOO_LARGE) : undefined
    )
    const outcomes = await deliver(producer, [rec(0), rec(1), rec(2), rec(3)])
    expect(summary(outcomes)).toEqual(['0@0', 'MESSAGE_TOO_LARGE', '0@1', '1@0'])
  })

  it('after a topic error the remaining chunks fail with it, unsent', async () => {
    const producer = new FakeProducer(1, () => kafkaError(UNKNOWN_TOPIC))
    const outcomes = await deliver(producer, [rec(0), rec(1), rec(2)], options({ batchSize: 1 }))
    expect(summary(outcomes)).toEqual(Array(3).fill('UNKNOWN_TOPIC_OR_PARTITION'))
    expect(outcomes.every((o) => !o.ok && o.topicError)).toBe(true)
    expect(producer.requests).toHaveLength(1)
  })

  it('a partition the topic lacks is out of range; an unacknowledged one is retryable', async () => {
    const producer = new FakeProducer(2, undefined, (p) => p !== 1)
    const outcomes = await deliver(producer, [
      { ...rec(0), message: { ...rec(0).message, partition: 5 } },
      rec(1),
      rec(2)
    ])
    expect(summary(outcomes)).toEqual(['PARTITION_OUT_OF_RANGE', 'NOT_ACKNOWLEDGED', '0@0'])
  })

  it('acks none: sent without offsets', async () => {
    const outcomes = await deliver(new FakeProducer(2), [rec(0), rec(1)], options({ acks: 0 }))
    expect(summary(outcomes)).toEqual(['0@-', '1@-'])
  })
})
