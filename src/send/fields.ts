/** The fields of the `send` action (the mapping). Defaults here are applied by the runtime. */
import type { InputField } from '@segment/actions-core'
import { RecordError } from '../records'
import { COMPRESSIONS } from '../kafka/codecs'

/** Below the broker's default max.message.bytes (1,048,588), so one request's batches always fit. */
export const DEFAULT_BATCH_BYTES = 1_000_000
export const DEFAULT_BATCH_SIZE = 1000

export const fields = {
  topic: {
    label: 'Topic',
    description: 'The Kafka topic to send the event to. The list shows the cluster’s topics.',
    type: 'string',
    required: true,
    dynamic: true
  },
  payload: {
    label: 'Payload',
    description: 'The data to send: its JSON is the record value. Defaults to the whole event.',
    type: 'object',
    required: true,
    default: { '@path': '$.' }
  },
  headers: {
    label: 'Headers',
    description:
      'Record headers, name to value. Numbers and booleans are sent as text, objects and arrays as JSON; empty (null) values are left out.',
    type: 'object',
    defaultObjectUI: 'keyvalue:only'
  },
  partition: {
    label: 'Partition',
    description: 'The partition to send the event to. When set, it wins over Default Partition and the key.',
    type: 'integer',
    minimum: 0
  },
  default_partition: {
    label: 'Default Partition',
    description: 'The partition to use when Partition is empty. When both are empty, the key decides.',
    type: 'integer',
    minimum: 0
  },
  key: {
    label: 'Message Key',
    description:
      'The record key. Records with the same key go to the same partition (murmur2 hash, as the Java client), so one user’s events stay in order. Without a key, records are spread over the partitions. Defaults to the user ID, else the anonymous ID.',
    type: 'string',
    default: {
      '@if': { exists: { '@path': '$.userId' }, then: { '@path': '$.userId' }, else: { '@path': '$.anonymousId' } }
    }
  },
  timestamp: {
    label: 'Timestamp',
    description: 'The record timestamp: an ISO 8601 date or milliseconds since the epoch. Defaults to the event’s.',
    type: 'string',
    default: { '@path': '$.timestamp' }
  },
  acks: {
    label: 'Acknowledgements',
    description:
      'What Kafka confirms before an event counts as sent: all in-sync replicas (safest), the partition leader only, or nothing (fastest; no offsets, and a lost record is not noticed).',
    type: 'string',
    default: 'all',
    choices: [
      { label: 'All in-sync replicas', value: 'all' },
      { label: 'Leader only', value: 'leader' },
      { label: 'None', value: 'none' }
    ]
  },
  compression: {
    label: 'Compression',
    description: 'Compression of the record batches sent to Kafka.',
    type: 'string',
    default: 'none',
    choices: COMPRESSIONS.map((value) => ({ label: value, value }))
  },
  request_timeout: {
    label: 'Request Timeout (ms)',
    description:
      'How long the broker may wait for the acknowledgements before it fails the request (at most 30 s, below the client’s own 35 s request timeout).',
    type: 'integer',
    default: 30000,
    minimum: 100,
    maximum: 30000
  },
  enable_batching: {
    label: 'Batch Events',
    description: 'Send events in batches: one request to Kafka per topic (and per Batch Bytes).',
    type: 'boolean',
    default: true
  },
  batch_size: {
    label: 'Batch Size',
    description: 'Most events in one batch.',
    type: 'integer',
    default: DEFAULT_BATCH_SIZE,
    minimum: 1,
    maximum: 10000
  },
  batch_bytes: {
    label: 'Batch Bytes',
    description:
      'Most bytes (before compression) in one request to Kafka; a batch is split to respect it, and an event larger than this fails alone. Keep it under the topic’s max.message.bytes.',
    type: 'integer',
    default: DEFAULT_BATCH_BYTES,
    minimum: 1024,
    maximum: 100 * 1024 * 1024
  }
} satisfies Record<string, InputField>

/**
 * The minimum and maximum of the integer fields above. actions-core 3.170 checks them only for
 * `number` fields, so an out-of-range integer would otherwise reach perform.
 */
export function checkBounds(payload: object): void {
  for (const [name, field] of BOUNDED) {
    const value = (payload as Record<string, unknown>)[name]
    if (typeof value !== 'number') continue
    if (
      (field.minimum !== undefined && value < field.minimum) ||
      (field.maximum !== undefined && value > field.maximum)
    ) {
      const range =
        field.maximum === undefined ? `at least ${field.minimum}` : `from ${field.minimum ?? '-∞'} to ${field.maximum}`
      throw new RecordError(`${name} must be ${range}, got ${value}.`, name)
    }
  }
}

const BOUNDED = Object.entries(fields as Record<string, InputField>).filter(
  ([, f]) => f.minimum !== undefined || f.maximum !== undefined
)
