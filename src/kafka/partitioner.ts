/**
 * Partitions as kafkajs's DefaultPartitioner chooses them (Java-compatible murmur2 of the key,
 * round-robin over available partitions without a key): the partitioner the producer uses, which also
 * records each topic's partition count and metadata and writes the chosen partition on the message (so
 * the caller can match each message with its partition's offsets; a message keeps that partition if
 * kafkajs retries it), and a planner that predicts those choices before a send.
 */
import { Partitioners, type ICustomPartitioner, type Message, type PartitionMetadata } from 'kafkajs'
import type { OutgoingMessage } from './types'

export function trackingPartitioner(
  partitionCounts: Map<string, number>,
  metadata?: Map<string, PartitionMetadata[]>
): ICustomPartitioner {
  return () => {
    const choose = Partitioners.DefaultPartitioner()
    return (args) => {
      const count = args.partitionMetadata.length
      if (partitionCounts.get(args.topic) !== count) partitionCounts.set(args.topic, count)
      if (metadata && metadata.get(args.topic) !== args.partitionMetadata)
        metadata.set(args.topic, args.partitionMetadata)
      const partition = choose(args)
      args.message.partition = partition
      return partition
    }
  }
}

/**
 * Predicts the partition of each message before a send, from the topic's metadata as of its last send
 * (what the producer's partitioner will use unless the metadata changed since). A keyed message's
 * partition is murmur2 of its key, as the partitioner computes it; a message without a key is given a
 * partition here (round robin over the available ones), so the prediction holds for it too.
 */
export class PartitionPlanner {
  private readonly choose = Partitioners.DefaultPartitioner()

  constructor(private readonly metadata: ReadonlyMap<string, PartitionMetadata[]>) {}

  /** One partition per message, or undefined while the topic's metadata is unknown (no send yet). */
  plan(topic: string, messages: readonly OutgoingMessage[]): number[] | undefined {
    const partitionMetadata = this.metadata.get(topic)
    if (!partitionMetadata) return undefined
    return messages.map((message) => {
      if (message.partition !== undefined) return message.partition
      const partition = this.choose({ topic, partitionMetadata, message: message as Message })
      if (message.key === undefined) message.partition = partition
      return partition
    })
  }
}
