// The type of the send action's payload, kept in step with ./fields.ts: the keys are checked at compile
// time below, and each comment is the field's description (the shape actions-core's generator makes).
import type { fields } from './fields'

export interface Payload {
  /**
   * The Kafka topic to send the event to. The list shows the cluster’s topics.
   */
  topic: string
  /**
   * The data to send: its JSON is the record value. Defaults to the whole event.
   */
  payload: {
    [k: string]: unknown
  }
  /**
   * Record headers, name to value. Numbers and booleans are sent as text, objects and arrays as JSON; empty (null) values are left out.
   */
  headers?: {
    [k: string]: unknown
  }
  /**
   * The partition to send the event to. When set, it wins over Default Partition and the key.
   */
  partition?: number
  /**
   * The partition to use when Partition is empty. When both are empty, the key decides.
   */
  default_partition?: number
  /**
   * The record key. Records with the same key go to the same partition (murmur2 hash, as the Java client), so one user’s events stay in order. Without a key, records are spread over the partitions. Defaults to the user ID, else the anonymous ID.
   */
  key?: string
  /**
   * The record timestamp: an ISO 8601 date or milliseconds since the epoch. Defaults to the event’s.
   */
  timestamp?: string | number
  /**
   * What Kafka confirms before an event counts as sent: all in-sync replicas (safest), the partition leader only, or nothing (fastest; no offsets, and a lost record is not noticed).
   */
  acks?: string
  /**
   * Compression of the record batches sent to Kafka.
   */
  compression?: string
  /**
   * How long the broker may wait for the acknowledgements before it fails the request (at most 30 s, below the client’s own 35 s request timeout).
   */
  request_timeout?: number
  /**
   * Send events in batches: one request to Kafka per topic (and per Batch Bytes).
   */
  enable_batching?: boolean
  /**
   * Most events in one batch.
   */
  batch_size?: number
  /**
   * Most bytes (before compression) in one request to Kafka; a batch is split to respect it, and an event larger than this fails alone. Keep it under the topic’s max.message.bytes.
   */
  batch_bytes?: number
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
/** Fails to compile when a field is added to or removed from fields.ts without this type. */
export const PAYLOAD_IN_STEP_WITH_FIELDS: Same<keyof Payload, keyof typeof fields> = true
