/**
 * Sends the records of one topic through a producer (the port's TopicProducer) and says, record by
 * record, what Kafka acknowledged: chunks bounded by bytes and count, sent in order (so records keep
 * their order per key), with each record matched to its partition's offsets. A record is reported sent
 * only when its partition was acknowledged (or when acks is 0, where Kafka acknowledges nothing).
 */
import { ownError } from '../errors'
import { isTooLarge, toActionError } from '../kafka/errors'
import type { RecordPlacement, SendOptions, TopicProducer } from '../kafka/types'
import type { BuiltRecord } from '../records'
import type { ConnectionSettings } from '../settings'

export interface DeliveryOptions extends SendOptions {
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

/**
 * Most bytes (estimated) of one request in all, whatever batch_bytes says per partition: below the
 * broker's socket.request.max.bytes (100 MiB by default).
 */
export const REQUEST_MAX_BYTES = 64 * 1024 * 1024

/**
 * Splits records into consecutive chunks (requests) of at most `batchSize` records, in which each
 * partition's records take at most `batchBytes` (estimated): Kafka limits each partition's record batch
 * (max.message.bytes), and one request carries the batches of every partition. `partitions` gives each
 * record's partition; without it, or for a record whose partition is unknown, all count as one.
 */
export function chunk(
  records: BuiltRecord[],
  batchBytes: number,
  batchSize: number,
  partitions?: readonly (number | undefined)[]
): BuiltRecord[][] {
  const requestMax = Math.max(batchBytes, REQUEST_MAX_BYTES)
  const chunks: BuiltRecord[][] = []
  let current: BuiltRecord[] = []
  let total = 0
  let perPartition = new Map<number, number>()
  records.forEach((record, i) => {
    const partition = partitions?.[i] ?? -1
    if (
      current.length &&
      ((perPartition.get(partition) ?? 0) + record.size > batchBytes ||
        total + record.size > requestMax ||
        current.length >= batchSize)
    ) {
      chunks.push(current)
      current = []
      total = 0
      perPartition = new Map()
    }
    current.push(record)
    total += record.size
    perPartition.set(partition, (perPartition.get(partition) ?? 0) + record.size)
  })
  if (current.length) chunks.push(current)
  return chunks
}

export interface TopicDelivery {
  producer: TopicProducer
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

  const partitions = d.producer.plan(
    d.topic,
    sendable.map((r) => r.message)
  )
  const parts = chunk(sendable, d.options.batchBytes, d.options.batchSize, partitions)
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
  return ownError(
    'MESSAGE_TOO_LARGE',
    `The record for topic "${topic}" is about ${size} bytes, more than batch_bytes (${limit}): reduce the payload or raise batch_bytes (and the topic's max.message.bytes).`
  )
}

/** Sends one chunk; a chunk the broker finds too large is split in halves until the culprit is alone. */
async function sendChunk(d: TopicDelivery, part: BuiltRecord[]): Promise<Outcome[]> {
  let placements: RecordPlacement[]
  const started = performance.now()
  try {
    placements = await d.producer.send(
      d.topic,
      part.map((r) => r.message),
      d.options
    )
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
  return outcomesFor(d, part, placements)
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
function outcomesFor(d: TopicDelivery, part: BuiltRecord[], placements: RecordPlacement[]): Outcome[] {
  const next = new Map<number, number>()
  return part.map((_record, i): Outcome => {
    const { partition, baseOffset } = placements[i] ?? {}
    if (partition === undefined) return { ok: false, error: notAcknowledged(d.topic) }
    if (d.options.acks === 0) return { ok: true, sent: { topic: d.topic, partition } }
    if (baseOffset === undefined) {
      const count = d.producer.partitionCount(d.topic)
      if (count !== undefined && partition >= count) return { ok: false, error: outOfRange(d.topic, partition, count) }
      return { ok: false, error: notAcknowledged(d.topic, partition) }
    }
    const n = next.get(partition) ?? 0
    next.set(partition, n + 1)
    return { ok: true, sent: { topic: d.topic, partition, offset: addOffset(baseOffset, n) } }
  })
}

/** `base + n` for an offset given as text (offsets may exceed Number.MAX_SAFE_INTEGER). */
function addOffset(base: string, n: number): string {
  const first = Number(base)
  return Number.isSafeInteger(first + n) ? String(first + n) : String(BigInt(base) + BigInt(n))
}

function outOfRange(topic: string, partition: number, count: number): Error {
  return ownError(
    'PARTITION_OUT_OF_RANGE',
    `Partition ${partition} does not exist: topic "${topic}" has ${count} partition${count === 1 ? '' : 's'} (0 to ${count - 1}). Fix partition or default_partition.`
  )
}

function notAcknowledged(topic: string, partition?: number): Error {
  return ownError(
    'NOT_ACKNOWLEDGED',
    `Kafka did not acknowledge the record for topic "${topic}"${partition === undefined ? '' : ` partition ${partition}`}.`
  )
}
