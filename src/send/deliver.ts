/**
 * Sends the records of one topic through a pooled producer and says, record by record, what Kafka
 * acknowledged: chunks bounded by bytes and count, sent in order (so records keep their order per
 * key), with each record matched to its partition's offsets. A record is reported sent only when
 * its partition was acknowledged (or when acks is 0, where Kafka acknowledges nothing).
 */
import { IntegrationError, PayloadValidationError, RetryableError } from '@segment/actions-core'
import { KafkaJSProtocolError, type CompressionTypes, type RecordMetadata } from 'kafkajs'
import { toActionError } from '../errors'
import type { PooledProducer } from '../producer'
import type { BuiltRecord } from '../records'
import type { ConnectionSettings } from '../settings'

export interface DeliveryOptions {
  /** -1 all in-sync replicas, 1 the leader, 0 none. */
  acks: number
  compression: CompressionTypes
  /** Broker-side time to wait for the acks, in ms (kafkajs's default when undefined). */
  timeout?: number
  /** Most bytes (record estimate) in one request. */
  batchBytes: number
  /** Most records in one request. */
  batchSize: number
}

export interface Delivered {
  topic: string
  partition: number
  /** Absent when acks is 0: Kafka returns no offsets then. */
  offset?: string
}

/** `topicError`: the whole request failed (not this record alone). */
export type Outcome = { ok: true; sent: Delivered } | { ok: false; error: Error; topicError?: boolean }

/** What deliverTopic reports per request, for stats. */
export interface DeliveryObserver {
  /** One acknowledged request: its record count, estimated bytes, time, and the records themselves. */
  sent?(topic: string, records: number, bytes: number, ms: number, part?: readonly BuiltRecord[]): void
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE'])
/** Errors of a topic's metadata, which kafkajs also raises in the sends of other topics (see inFlight). */
const TOPIC_METADATA = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'TOPIC_AUTHORIZATION_FAILED', 'INVALID_TOPIC_EXCEPTION'])

function protocolType(error: unknown): string | undefined {
  let e: unknown = error
  for (let i = 0; i < 3 && e; i++) {
    if (e instanceof KafkaJSProtocolError) return e.type
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** kafkajs wraps the cause after its retries; a too-large answer is never retried, but be safe. */
function isTooLarge(error: unknown): boolean {
  return TOO_LARGE.has(protocolType(error) ?? '')
}

/** Whether another topic than `topic` has a request in flight on this producer. */
function othersInFlight(pooled: PooledProducer, topic: string): boolean {
  for (const [t, n] of pooled.inFlight) if (t !== topic && n > 0) return true
  return false
}

/** How long a topic waits for the other topics of its producer before its second attempt. */
const SETTLE_WAIT_MS = 35_000

/** Resolves once no other topic than `topic` has a request in flight on this producer (or after maxMs). */
async function othersSettled(pooled: PooledProducer, topic: string, maxMs = SETTLE_WAIT_MS): Promise<void> {
  const until = Date.now() + maxMs
  while (othersInFlight(pooled, topic) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
}

/**
 * Second attempts per producer: the topics waiting for one (a borrowed error may come from them,
 * although they are not in flight), and the turn they take one after the other. Run together, as
 * they would be when every topic of a batch failed its first attempt, they would borrow the unknown
 * topic's error from each other again.
 */
interface Retries {
  waiting: Map<string, number>
  turn: Promise<unknown>
}
const retriesOf = new WeakMap<PooledProducer, Retries>()

function retries(pooled: PooledProducer): Retries {
  let r = retriesOf.get(pooled)
  if (!r) retriesOf.set(pooled, (r = { waiting: new Map(), turn: Promise.resolve() }))
  return r
}

/** Whether another topic than `topic` is in flight or waiting for its second attempt. */
function othersBusy(pooled: PooledProducer, topic: string): boolean {
  if (othersInFlight(pooled, topic)) return true
  for (const [t, n] of retries(pooled).waiting) if (t !== topic && n > 0) return true
  return false
}

function count(counts: Map<string, number>, topic: string, by: 1 | -1): void {
  const n = (counts.get(topic) ?? 0) + by
  if (n > 0) counts.set(topic, n)
  else counts.delete(topic)
}

/**
 * One sendBatch of `part`. A topic-metadata error raised while other topics were busy may be
 * another topic's: kafkajs refreshes the metadata of all its topics together, for as long as a failing
 * topic is being retried. Nothing was written then, so the part is tried once more, in its turn, when
 * the topics in flight have settled; a second failure is this topic's own.
 */
async function sendBatch(d: TopicDelivery, part: BuiltRecord[]): Promise<RecordMetadata[]> {
  const { inFlight } = d.pooled
  /** Undefined when the first attempt failed with an error that may be another topic's. */
  const attempt = async (last: boolean): Promise<RecordMetadata[] | undefined> => {
    count(inFlight, d.topic, 1)
    let shared = othersBusy(d.pooled, d.topic)
    try {
      return await d.pooled.producer.sendBatch({
        topicMessages: [{ topic: d.topic, messages: part.map((r) => r.message) }],
        acks: d.options.acks,
        compression: d.options.compression,
        timeout: d.options.timeout
      })
    } catch (error) {
      shared ||= othersBusy(d.pooled, d.topic)
      if (last || !shared || !TOPIC_METADATA.has(protocolType(error) ?? '')) throw error
      return undefined
    } finally {
      count(inFlight, d.topic, -1)
    }
  }
  const first = await attempt(false)
  if (first) return first
  const r = retries(d.pooled)
  count(r.waiting, d.topic, 1)
  const second = r.turn.then(async () => {
    await othersSettled(d.pooled, d.topic)
    count(r.waiting, d.topic, -1)
    return (await attempt(true)) as RecordMetadata[]
  })
  r.turn = second.catch(() => undefined)
  return second
}

/** Splits records into consecutive chunks of at most `batchBytes` (estimated) and `batchSize` records. */
export function chunk(records: BuiltRecord[], batchBytes: number, batchSize: number): BuiltRecord[][] {
  const chunks: BuiltRecord[][] = []
  let current: BuiltRecord[] = []
  let bytes = 0
  for (const record of records) {
    if (current.length && (bytes + record.size > batchBytes || current.length >= batchSize)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(record)
    bytes += record.size
  }
  if (current.length) chunks.push(current)
  return chunks
}

export interface TopicDelivery {
  pooled: PooledProducer
  settings: ConnectionSettings
  topic: string
  options: DeliveryOptions
  observer?: DeliveryObserver
}

/**
 * Delivers `records` (all for `d.topic`) and returns one outcome per record, in order. Records larger
 * than batchBytes fail alone. After a request fails, the remaining records of the topic fail with
 * the same error unsent, so that a retry cannot put a record before one sent earlier with its key.
 */
export async function deliverTopic(d: TopicDelivery, records: BuiltRecord[]): Promise<Outcome[]> {
  const outcomes = new Array<Outcome>(records.length)
  const index = new Map<BuiltRecord, number>()
  const sendable: BuiltRecord[] = []
  records.forEach((record, i) => {
    if (record.size > d.options.batchBytes) {
      outcomes[i] = { ok: false, error: tooLarge(d.topic, record.size, d.options.batchBytes) }
    } else {
      index.set(record, i)
      sendable.push(record)
    }
  })

  const parts = chunk(sendable, d.options.batchBytes, d.options.batchSize)
  const results = await sendInOrder(d, parts)
  parts.flat().forEach((record, i) => (outcomes[index.get(record) as number] = results[i]))
  return outcomes
}

/**
 * Sends `parts` one after the other. Once a part fails as a whole (a topic error), the parts after it
 * fail with the same error unsent, so that a retry cannot put a record before one sent earlier with
 * its key. One outcome per record of every part, in order.
 */
async function sendInOrder(d: TopicDelivery, parts: BuiltRecord[][]): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  let failure: Error | undefined
  for (const part of parts) {
    const results = failure
      ? part.map((): Outcome => ({ ok: false, error: failure as Error, topicError: true }))
      : await sendChunk(d, part)
    outcomes.push(...results)
    for (const r of results) if (!failure && !r.ok && r.topicError) failure = r.error
  }
  return outcomes
}

function tooLarge(topic: string, size: number, limit: number): Error {
  const error = new PayloadValidationError(
    `The record for topic "${topic}" is about ${size} bytes, more than batch_bytes (${limit}): reduce the payload or raise batch_bytes (and the topic's max.message.bytes).`
  )
  error.code = 'MESSAGE_TOO_LARGE'
  return error
}

/** Sends one chunk; a chunk the broker finds too large is split in halves until the culprit is alone. */
async function sendChunk(d: TopicDelivery, part: BuiltRecord[]): Promise<Outcome[]> {
  let response: RecordMetadata[]
  const started = performance.now()
  try {
    response = await sendBatch(d, part)
  } catch (error) {
    if (isTooLarge(error)) {
      if (part.length === 1)
        return [{ ok: false, error: toActionError(error, { settings: d.settings, topic: d.topic }) }]
      const partitions = byPartition(part)
      if (partitions.length > 1) return resendByPartition(d, part, partitions)
      // One partition: the broker refused its one batch whole, so nothing of it was written.
      const half = Math.ceil(part.length / 2)
      return sendInOrder(d, [part.slice(0, half), part.slice(half)])
    }
    const mapped = toActionError(error, { settings: d.settings, topic: d.topic })
    return part.map((): Outcome => ({ ok: false, error: mapped, topicError: true }))
  }
  const ms = performance.now() - started
  d.observer?.sent?.(
    d.topic,
    part.length,
    part.reduce((n, r) => n + r.size, 0),
    ms,
    part
  )
  return outcomesFor(d, part, response)
}

/** The records of `part` grouped by the partition the partitioner gave them, in order within each. */
function byPartition(part: BuiltRecord[]): BuiltRecord[][] {
  const groups = new Map<number, BuiltRecord[]>()
  for (const record of part) {
    const p = record.message.partition ?? -1
    let group = groups.get(p)
    if (!group) groups.set(p, (group = []))
    group.push(record)
  }
  return [...groups.values()]
}

/**
 * After a too-large answer to a request that spanned several partitions. The broker accepts or
 * refuses each partition's batch on its own, and kafkajs reports only the first refusal, so which
 * partitions were written is unknown. Each partition is sent again in requests of its own, where a
 * refusal is all or nothing and halving isolates the oversized record. Records of a partition the
 * broker had accepted are then written twice: at least once, as kafkajs itself does when it retries
 * a request after a retriable error of one partition. It takes a topic whose max.message.bytes is
 * below batch_bytes (or one record above it) to get here.
 */
async function resendByPartition(d: TopicDelivery, part: BuiltRecord[], groups: BuiltRecord[][]): Promise<Outcome[]> {
  const outcome = new Map<BuiltRecord, Outcome>()
  await Promise.all(
    groups.map(async (group) => {
      const results = await sendChunk(d, group)
      group.forEach((record, i) => outcome.set(record, results[i]))
    })
  )
  return part.map((record) => outcome.get(record) as Outcome)
}

/** Matches each record with its partition's base offset: records keep their order within a partition. */
function outcomesFor(d: TopicDelivery, part: BuiltRecord[], response: RecordMetadata[]): Outcome[] {
  const base = new Map<number, number | bigint>()
  for (const r of response) {
    if (r.topicName !== d.topic || r.baseOffset === undefined) continue
    const n = Number(r.baseOffset)
    base.set(r.partition, Number.isSafeInteger(n) ? n : BigInt(r.baseOffset))
  }
  const next = new Map<number, number>()
  return part.map((record): Outcome => {
    const partition = record.message.partition
    if (partition === undefined) return { ok: false, error: notAcknowledged(d.topic) }
    if (d.options.acks === 0) return { ok: true, sent: { topic: d.topic, partition } }
    const first = base.get(partition)
    if (first === undefined) {
      const count = d.pooled.partitionCounts.get(d.topic)
      if (count !== undefined && partition >= count) return { ok: false, error: outOfRange(d.topic, partition, count) }
      return { ok: false, error: notAcknowledged(d.topic, partition) }
    }
    const i = next.get(partition) ?? 0
    next.set(partition, i + 1)
    const offset = typeof first === 'number' ? String(first + i) : String(first + BigInt(i))
    return { ok: true, sent: { topic: d.topic, partition, offset } }
  })
}

function outOfRange(topic: string, partition: number, count: number): Error {
  return new IntegrationError(
    `Partition ${partition} does not exist: topic "${topic}" has ${count} partition${count === 1 ? '' : 's'} (0 to ${count - 1}). Fix partition or default_partition.`,
    'PARTITION_OUT_OF_RANGE',
    400
  )
}

function notAcknowledged(topic: string, partition?: number): Error {
  const error = new RetryableError(
    `Kafka did not acknowledge the record for topic "${topic}"${partition === undefined ? '' : ` partition ${partition}`}.`,
    503
  )
  error.code = 'NOT_ACKNOWLEDGED' as RetryableError['code']
  return error
}
