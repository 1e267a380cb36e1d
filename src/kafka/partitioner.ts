/**
 * kafkajs's DefaultPartitioner (Java-compatible murmur2 of the key, round-robin over available
 * partitions without a key) that also records each topic's partition count and writes the chosen
 * partition on the message, so the caller can match each message with its partition's offsets.
 * A message keeps that partition if kafkajs retries it.
 */
import { Partitioners, type ICustomPartitioner } from 'kafkajs'

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
