// Written by hand to match the fields in ./fields.ts (the shape actions-core's type generator produces).

export interface Payload {
  /**
   * The Kafka topic to send the event to.
   */
  topic: string
  /**
   * The data to send: its JSON is the record value.
   */
  payload: {
    [k: string]: unknown
  }
  /**
   * Record headers: name to value. Numbers and booleans are sent as text, objects and arrays as JSON; empty values are left out.
   */
  headers?: {
    [k: string]: unknown
  }
  /**
   * The partition to send the event to. Overrides Default Partition and the key's partition.
   */
  partition?: number
  /**
   * The partition to use when Partition is empty.
   */
  default_partition?: number
  /**
   * The record key. The partitioner sends all records with one key to one partition (murmur2, as the Java client does).
   */
  key?: string
  /**
   * The record timestamp (ISO 8601 or milliseconds since the epoch). Defaults to the event's timestamp.
   */
  timestamp?: string | number
  /**
   * Send events in batches.
   */
  enable_batching?: boolean
  /**
   * Most events in one batch (and in one request to Kafka).
   */
  batch_size?: number
  /**
   * Most bytes (uncompressed estimate) in one request to Kafka. A larger event fails alone.
   */
  batch_bytes?: number
  /**
   * Which acknowledgement to wait for: all in-sync replicas, the partition leader, or none.
   */
  acks?: string
  /**
   * Compression of the record batches.
   */
  compression?: string
  /**
   * How long the broker may wait for the acknowledgements, in milliseconds.
   */
  request_timeout?: number
}
