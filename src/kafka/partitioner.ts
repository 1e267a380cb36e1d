/**
 * Partitions as kafkajs's DefaultPartitioner (and the Java client) choose them: murmur2 of the key
 * modulo the partition count, round-robin over available partitions without a key. The partitioner
 * the producer uses also records each topic's partition count and metadata and writes the chosen
 * partition on the message (so the caller can match each message with its partition's offsets; a
 * message keeps that partition if kafkajs retries it); a planner predicts those choices before a send.
 */
import {
  Partitioners,
  type ICustomPartitioner,
  type Message,
  type PartitionerArgs,
  type PartitionMetadata
} from 'kafkajs'
import type { OutgoingMessage } from './types'

const M = 0x5bd1e995
/** Keys up to this many UTF-8 bytes are hashed from one reused buffer, without an allocation. */
const scratch = Buffer.allocUnsafe(1024)

/**
 * The Java client's murmur2 (org.apache.kafka.common.utils.Utils#murmur2) of a key's UTF-8 bytes, in
 * 32-bit integer arithmetic: kafkajs computes the same with a 64-bit Long emulation, about ten times
 * slower, which a batch of 1,000 keyed events paid twice (planning, then sending).
 */
export function murmur2(key: string | Buffer): number {
  let data: Buffer
  let length: number
  if (typeof key !== 'string') {
    data = key
    length = key.length
  } else if (key.length * 3 <= scratch.length) {
    data = scratch
    length = scratch.write(key, 0, 'utf8')
  } else {
    data = Buffer.from(key, 'utf8')
    length = data.length
  }
  let h = (0x9747b28c ^ length) | 0
  const tail = length & ~3
  for (let i = 0; i < tail; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    h = Math.imul(h, M) ^ Math.imul(k, M)
  }
  // Java's switch falls through: three trailing bytes mix all three, two mix two, one mixes one.
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2] << 16
  if (rest >= 2) h ^= data[tail + 1] << 8
  if (rest >= 1) h = Math.imul(h ^ data[tail], M)
  h ^= h >>> 13
  h = Math.imul(h, M)
  return h ^ (h >>> 15)
}

/** The partition of a keyed message among `count` partitions (the Java client's rule). */
export function keyPartition(key: string | Buffer, count: number): number {
  return (murmur2(key) & 0x7fffffff) % count
}

/**
 * The partition the producer gives `message` among `count` partitions: an explicit one, else the key's;
 * undefined for a message with neither, which the producer places round robin when it is sent.
 */
export function predictPartition(
  message: Pick<OutgoingMessage, 'key' | 'partition'>,
  count: number
): number | undefined {
  if (message.partition !== undefined && message.partition !== null) return message.partition
  if (message.key !== undefined && message.key !== null) return keyPartition(message.key, count)
  return undefined
}

/** An explicit partition, else the key's, else kafkajs's round robin (`choose`). */
function partitionOf(
  choose: (args: PartitionerArgs) => number,
  topic: string,
  partitionMetadata: PartitionMetadata[],
  message: Message | OutgoingMessage
): number {
  return (
    predictPartition(message as OutgoingMessage, partitionMetadata.length) ??
    choose({ topic, partitionMetadata, message: message as Message })
  )
}

export function trackingPartitioner(
  partitionCounts: Map<string, number>,
  metadata?: Map<string, PartitionMetadata[]>
): ICustomPartitioner {
  return () => {
    const choose = Partitioners.DefaultPartitioner()
    return ({ topic, partitionMetadata, message }) => {
      const count = partitionMetadata.length
      if (partitionCounts.get(topic) !== count) partitionCounts.set(topic, count)
      if (metadata && metadata.get(topic) !== partitionMetadata) metadata.set(topic, partitionMetadata)
      const partition = partitionOf(choose, topic, partitionMetadata, message)
      message.partition = partition
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
    const partitions = new Array<number>(messages.length)
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]
      const partition = partitionOf(this.choose, topic, partitionMetadata, message)
      if (message.key === undefined) message.partition = partition
      partitions[i] = partition
    }
    return partitions
  }
}
