/**
 * Builds the kafkajs producer the pool keeps for one connection, with everything that is per
 * producer rather than per event: the client config (TLS, SASL), the partitioner, the codecs.
 */
import { Kafka, Partitioners, type ICustomPartitioner, type Producer } from 'kafkajs'
import './codecs'
import { kafkaConfig } from './client-config'
import type { Poolable } from './producer-pool'
import type { ConnectionSettings } from './settings'

export interface PooledProducer {
  producer: Producer
  /**
   * Partition count per topic, as seen by the partitioner in the metadata of the last send to that
   * topic. kafkajs silently skips messages for a partition missing from the metadata; the send
   * action uses these counts to report such messages as out of range, at no extra round trip.
   */
  partitionCounts: Map<string, number>
  /**
   * Requests in flight per topic. kafkajs refreshes the metadata of every topic a producer sends to
   * at once, and a topic that fails its metadata (unknown, not authorized, invalid) fails the refresh
   * for the others too: deliver.ts uses these counts to tell such a borrowed error from the topic's own.
   */
  inFlight: Map<string, number>
}

/**
 * kafkajs's DefaultPartitioner (Java-compatible murmur2 of the key, round-robin over available
 * partitions without a key) that also records the topic's partition count and writes the chosen
 * partition on the message, so the caller can match each message with its partition's offsets.
 * A message keeps that partition if kafkajs retries it.
 */
export function trackingPartitioner(partitionCounts: Map<string, number>): ICustomPartitioner {
  return () => {
    const choose = Partitioners.DefaultPartitioner()
    return (args) => {
      const count = args.partitionMetadata.length
      if (partitionCounts.get(args.topic) !== count) partitionCounts.set(args.topic, count)
      const partition = choose(args)
      args.message.partition = partition
      return partition
    }
  }
}

/** The pool's factory for real producers. Throws (400) if the settings cannot make a client config. */
export function createKafkaProducer(settings: ConnectionSettings): Poolable<PooledProducer> {
  const kafka = new Kafka(kafkaConfig(settings))
  const partitionCounts = new Map<string, number>()
  const producer = kafka.producer({
    createPartitioner: trackingPartitioner(partitionCounts),
    // kafkajs requires one request in flight per connection for idempotence (and acks all per send).
    ...(settings.idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {})
  })
  let connected = false
  return {
    value: { producer, partitionCounts, inFlight: new Map() },
    connect: async () => {
      await producer.connect()
      connected = true
    },
    disconnect: () => producer.disconnect(),
    onFatal: (listener) => {
      // kafkajs emits DISCONNECT only when producer.disconnect() runs (a broker that closes a
      // connection is reconnected by kafkajs on the next request). A producer disconnected other than
      // by the pool, e.g. by code holding it, refuses to send: drop it.
      producer.on(producer.events.DISCONNECT, () => {
        if (connected) listener('disconnected')
      })
    }
  }
}
