/**
 * The port's vocabulary: what the rest of the code hands to Kafka and gets back, in types of our own
 * (no kafkajs type leaves src/kafka/).
 */
import type { Compression } from './codecs'

/** One record as it is sent. The value is the JSON text (kafkajs writes a string straight into the request). */
export interface OutgoingMessage {
  key?: string
  value: string
  headers?: Record<string, string>
  /** Milliseconds since the epoch, as text. */
  timestamp?: string
  /** Set from the mapping, or by the producer's partitioner when it picks one. */
  partition?: number
}

export interface SendOptions {
  /** -1 all in-sync replicas, 1 the leader, 0 none. */
  acks: number
  compression: Compression
  /** Broker-side time to wait for the acks, in ms (kafkajs's default when undefined). */
  timeout?: number
}

/** Where one record went: its partition, and the base offset Kafka gave that partition's batch. */
export interface RecordPlacement {
  /** Undefined when no partition was chosen for the record (nothing was sent for it). */
  partition?: number
  /** Absent when acks is 0 or when the partition was not acknowledged. */
  baseOffset?: string
}

/** A connected producer as the send path sees it. */
export interface TopicProducer {
  /**
   * Sends the records of one topic in one request. Resolves with one placement per record, in order;
   * rejects when the request failed as a whole (the error is mapped with kafka/errors.ts).
   */
  send(topic: string, messages: readonly OutgoingMessage[], options: SendOptions): Promise<RecordPlacement[]>
  /** The topic's partition count as of its last send, if known. */
  partitionCount(topic: string): number | undefined
}
