/**
 * One mapped event -> one outgoing Kafka message, plus its size estimate. Pure: no I/O. Problems that belong to the event alone throw a
 * PayloadValidationError naming the field, so a batch can fail just that event.
 */
import { PayloadValidationError } from '@segment/actions-core'
import type { OutgoingMessage } from './kafka/types'

/** The part of the send payload that shapes the record. */
export interface RecordFields {
  payload: unknown
  key?: string | null
  headers?: Record<string, unknown> | null
  partition?: number | null
  default_partition?: number | null
  timestamp?: string | number | null
}

/**
 * The value is the JSON text: kafkajs writes a string value straight into the request buffer (UTF-8),
 * so a Buffer would be an extra allocation and copy per record; the size is counted with
 * Buffer.byteLength instead.
 */
export interface BuiltRecord {
  message: OutgoingMessage
  /** Upper estimate of the bytes the record takes in a record batch (before compression). */
  size: number
}

/**
 * Record-level overhead of the Kafka v2 record format, over-estimated: attributes, timestamp and
 * offset deltas, key/value lengths and the record length, all varints. A header adds two lengths.
 */
export const RECORD_OVERHEAD_BYTES = 32
export const HEADER_OVERHEAD_BYTES = 10

export class RecordError extends PayloadValidationError {
  constructor(
    message: string,
    readonly field: string
  ) {
    super(message)
  }
}

/** Header values: strings as they are, numbers/booleans as text, objects/arrays as JSON; null/undefined dropped. */
export function headerValue(name: string, value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'undefined':
      return undefined
    case 'object': {
      if (value === null) return undefined
      if (Buffer.isBuffer(value)) return value.toString('utf8')
      try {
        return JSON.stringify(value)
      } catch {
        throw new RecordError(`Header "${name}" could not be written as JSON.`, 'headers')
      }
    }
    default:
      throw new RecordError(`Header "${name}" has a value of type ${typeof value}, which cannot be sent.`, 'headers')
  }
}

function buildHeaders(headers: RecordFields['headers']): { headers?: Record<string, string>; size: number } {
  if (headers === undefined || headers === null) return { size: 0 }
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw new RecordError('headers must be an object of header names to values.', 'headers')
  }
  let out: Record<string, string> | undefined
  let size = 0
  for (const name of Object.keys(headers)) {
    const value = headerValue(name, headers[name])
    if (value === undefined) continue
    out ??= {}
    out[name] = value
    size += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(value)
  }
  return { headers: out, size }
}

function checkPartition(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new RecordError(`${field} must be a whole number of 0 or more, got ${JSON.stringify(value)}.`, field)
  }
  return value
}

/** A date, optionally with a time and a zone: what Segment events carry. V8 alone parses far more. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/i

/** Milliseconds since the epoch as Kafka clients take them (a string), from an ISO 8601 date or a number of ms. */
export function recordTimestamp(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  let ms: number
  if (typeof value === 'number') ms = value
  else if (typeof value === 'string')
    ms = /^\d+$/.test(value) ? Number(value) : ISO_8601.test(value) ? Date.parse(value) : NaN
  else ms = NaN
  if (Number.isFinite(ms) && ms < 0) {
    // A valid date, but not one a record can carry: say so rather than "not a date".
    throw new RecordError(
      `timestamp ${JSON.stringify(value)} is before 1970-01-01T00:00:00Z, which a Kafka record timestamp cannot be (map another field, or none, to the timestamp).`,
      'timestamp'
    )
  }
  if (!Number.isFinite(ms)) {
    throw new RecordError(
      `timestamp must be an ISO 8601 date or milliseconds since the epoch, got ${JSON.stringify(value)}.`,
      'timestamp'
    )
  }
  return String(Math.trunc(ms))
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/

/**
 * The topic name, checked here rather than left to the broker: kafkajs asks for the metadata of every
 * topic its producer is sending to at once, so a name the broker rejects would fail the other topics too.
 */
export function checkTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic.trim() === '') throw new RecordError('topic is required.', 'topic')
  if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
    const error = new RecordError(
      `Topic "${topic}" is not a valid Kafka topic name: 1 to 249 of a-z, A-Z, 0-9, ".", "_" and "-" (not "." or "..").`,
      'topic'
    )
    error.code = 'INVALID_TOPIC_EXCEPTION'
    throw error
  }
}

/**
 * Builds the message for one event. Throws RecordError (400) for problems of this event alone.
 * `encoded` holds the key and value already written in a schema format, when the mapping asks for one.
 */
export function buildRecord(fields: RecordFields, encoded?: { key?: Buffer; value?: Buffer }): BuiltRecord {
  let value: string | Buffer
  if (encoded?.value) value = encoded.value
  else {
    let json: string | undefined
    try {
      json = JSON.stringify(fields.payload ?? null)
    } catch {
      throw new RecordError('payload could not be written as JSON.', 'payload')
    }
    value = json ?? 'null'
  }
  const message: OutgoingMessage = { value }
  let size = RECORD_OVERHEAD_BYTES + Buffer.byteLength(value)

  // An empty key is a mapping that found nothing: such records are spread like keyless ones.
  if (encoded?.key) {
    message.key = encoded.key
    size += encoded.key.length
  } else if (typeof fields.key === 'string' && fields.key !== '') {
    message.key = fields.key
    size += Buffer.byteLength(fields.key)
  } else if (fields.key !== undefined && fields.key !== null && fields.key !== '') {
    throw new RecordError(`key must be a string, got ${typeof fields.key}.`, 'key')
  }

  const headers = buildHeaders(fields.headers)
  if (headers.headers) message.headers = headers.headers
  size += headers.size

  const timestamp = recordTimestamp(fields.timestamp)
  if (timestamp !== undefined) message.timestamp = timestamp

  const partition =
    checkPartition('partition', fields.partition) ?? checkPartition('default_partition', fields.default_partition)
  if (partition !== undefined) message.partition = partition

  return { message, size }
}
