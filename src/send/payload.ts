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
   * Send events in batches: one request to Kafka per topic (and per Batch Size, and Batch Bytes per partition).
   */
  enable_batching?: boolean
  /**
   * Most events in one batch.
   */
  batch_size?: number
  /**
   * Most bytes (before compression) of one partition’s events in one request to Kafka (Kafka limits each partition’s batch); a batch is split to respect it, and an event larger than this fails alone. Keep it under the topic’s max.message.bytes.
   */
  batch_bytes?: number
  /**
   * How the record value is written: JSON text, or Avro, JSON Schema or Protobuf in the Confluent wire format with the schema from the schema registry (set its URL in the settings).
   */
  value_format?: string
  /**
   * The registry subject of the value (the Payload) schema: `<topic>-value` (topic), the record name (record), or `<topic>-<record name>` (topic-record).
   */
  value_subject_strategy?: string
  /**
   * A subject to use as it is, instead of the naming strategy. The list shows the registry's subjects.
   */
  value_subject?: string
  /**
   * For the record and topic-record strategies without a schema text: the full name of the record (Avro), message (Protobuf) or title (JSON Schema), e.g. `com.example.Order`.
   */
  value_record_name?: string
  /**
   * The version of the subject to encode with: `latest` (re-checked every 30 seconds) or a pinned version number. The list shows the subject’s versions.
   */
  value_schema_version?: string
  /**
   * Instead of a version from the registry: a schema text (Avro JSON, JSON Schema or .proto), registered under the subject on first use (or looked up, with read-only credentials).
   */
  value_schema?: string
  /**
   * Protobuf only: the message of the schema to encode, e.g. `Order` or `shop.v1.Order`. Default: the first message.
   */
  value_message?: string
  /**
   * How the record key is written: text, or Avro, JSON Schema or Protobuf in the Confluent wire format with the schema from the schema registry.
   */
  key_format?: string
  /**
   * The registry subject of the key (Key Data, else the Message Key text) schema: `<topic>-key` (topic), the record name (record), or `<topic>-<record name>` (topic-record).
   */
  key_subject_strategy?: string
  /**
   * A subject to use as it is, instead of the naming strategy. The list shows the registry's subjects.
   */
  key_subject?: string
  /**
   * For the record and topic-record strategies without a schema text: the full name of the record (Avro), message (Protobuf) or title (JSON Schema), e.g. `com.example.Order`.
   */
  key_record_name?: string
  /**
   * The version of the subject to encode with: `latest` (re-checked every 30 seconds) or a pinned version number. The list shows the subject’s versions.
   */
  key_schema_version?: string
  /**
   * Instead of a version from the registry: a schema text (Avro JSON, JSON Schema or .proto), registered under the subject on first use (or looked up, with read-only credentials).
   */
  key_schema?: string
  /**
   * Protobuf only: the message of the schema to encode, e.g. `Order` or `shop.v1.Order`. Default: the first message.
   */
  key_message?: string
  /**
   * With a Key Format other than text: the structured key to encode (e.g. `{ "userId": … }` for a record key). Empty: the Message Key text is encoded (for a string schema).
   */
  key_data?: {
    [k: string]: unknown
  }
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
/** Fails to compile when a field is added to or removed from fields.ts without this type. */
export const PAYLOAD_IN_STEP_WITH_FIELDS: Same<keyof Payload, keyof typeof fields> = true
