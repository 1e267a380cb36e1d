/**
 * Reading a topic for the gateway's console (the tail, the dead letters): the last records of each
 * partition, then either stop at the end as it was when the read began, or follow new records until
 * stopped. Each read is a consumer of a group of its own (`actions-kafka-console-<uuid>`) that commits
 * nothing, positioned by seeks, and whose group is deleted when the read stops: nothing is left behind.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, type IHeaders } from 'kafkajs'
import { ownError } from '../errors'
import type { ConnectionSettings } from '../settings'
import { guarded } from './certificate-guard'
import { kafkaConfig } from './client-config'
import { deleteGroups, topicOffsets } from './cluster'
import { toActionError } from './errors'

export const READER_GROUP_PREFIX = 'actions-kafka-console-'
/** A read to the end gives up after this long. */
export const READ_TIMEOUT_MS = 20_000

export interface ConsumedRecord {
  topic: string
  partition: number
  offset: string
  /** Milliseconds since the epoch, as text. */
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, string>
}

export interface ReadOptions {
  /** Records of each partition before its current end; 0 for new records only. */
  last: number
  /** Follow new records until stopped; otherwise the read ends at the end it found. */
  follow: boolean
  onRecord(record: ConsumedRecord): void
}

export interface TopicReader {
  /** Settles when a read to the end has read everything (never, when following, until stopped). */
  done: Promise<void>
  /** Leaves the group and deletes it. Idempotent. */
  stop(): Promise<void>
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    const one = Array.isArray(value) ? value[value.length - 1] : value
    out[name] = Buffer.isBuffer(one) ? one.toString('utf8') : String(one)
  }
  return out
}

/** Opens a read of `topic`; throws mapped errors (unknown topic, brokers not answering). */
export async function openReader(c: ConnectionSettings, topic: string, options: ReadOptions): Promise<TopicReader> {
  const start = new Map<number, bigint>()
  const end = new Map<number, bigint>()
  for (const p of await topicOffsets(c, topic)) {
    const high = BigInt(p.high)
    const from = high - BigInt(options.last)
    start.set(p.partition, from > BigInt(p.low) ? from : BigInt(p.low))
    end.set(p.partition, high)
  }
  const pending = new Set([...start].filter(([p, from]) => from < (end.get(p) ?? 0n)).map(([p]) => p))
  if (!options.follow && pending.size === 0) return { done: Promise.resolve(), stop: async () => undefined }

  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => (finish = resolve))
  const groupId = `${READER_GROUP_PREFIX}${randomUUID()}`
  const consumer = new Kafka(guarded(kafkaConfig(c)).config).consumer({ groupId, allowAutoTopicCreation: false })
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      finish()
      await consumer.disconnect().catch(() => undefined)
      await deleteGroups(c, [groupId]).catch(() => undefined)
    })()
    return stopping
  }
  // kafkajs refuses a seek until the group is joined, and forgets the group when it restarts after a crash
  // (a fresh broker's first group may crash on a coordinator not yet available): seek on every join. Until
  // then, records before the start are skipped in eachMessage, so a seek that comes late loses nothing.
  const seekAll = (): void => {
    for (const [partition, from] of start) {
      try {
        consumer.seek({ topic, partition, offset: String(from) })
      } catch {
        // Not joined yet: the GROUP_JOIN listener seeks again.
      }
    }
  }
  consumer.on(consumer.events.GROUP_JOIN, seekAll)
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offset = BigInt(message.offset)
        const last = end.get(partition)
        // Records before the start (delivered before the seek applies) and, for a read to the end,
        // records written after the read began are skipped.
        if (offset < (start.get(partition) ?? 0n)) return
        if (!options.follow && (last === undefined || offset >= last)) return
        options.onRecord({
          topic,
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key ?? null,
          value: message.value ?? null,
          headers: headersOf(message.headers)
        })
        if (!options.follow && last !== undefined && offset + 1n >= last) {
          pending.delete(partition)
          if (pending.size === 0) finish()
        }
      }
    })
    seekAll()
  } catch (error) {
    await stop()
    throw toActionError(error, { settings: c, topic })
  }
  return { done, stop }
}

/** Every record of the last `last` of each partition, up to the end found when the read began. */
export async function readToEnd(
  c: ConnectionSettings,
  topic: string,
  last: number,
  timeoutMs = READ_TIMEOUT_MS
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = []
  const reader = await openReader(c, topic, { last, follow: false, onRecord: (r) => records.push(r) })
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      reader.done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(ownError('CONNECTION_TIMEOUT', `Reading topic "${topic}" took more than ${timeoutMs / 1000} s.`)),
          timeoutMs
        )
      })
    ])
  } finally {
    clearTimeout(timer)
    await reader.stop()
  }
  return records.sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1))
}
