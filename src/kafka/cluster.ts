/**
 * What the gateway's console asks of the cluster, through one admin client per call (admin.ts): the
 * brokers answering, each topic's partitions and replicas, creating a topic, a topic's offsets, and
 * deleting the console's own consumer groups. Answers in our own vocabulary; errors mapped.
 */
import type { ConnectionSettings } from '../settings'
import { withAdmin } from './admin'

export interface ClusterView {
  clusterId: string
  controller: number | null
  brokers: { nodeId: number; host: string; port: number }[]
}

export interface TopicView {
  name: string
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[]
}

export interface NewTopic {
  topic: string
  partitions: number
  /** -1: the broker's default. */
  replicationFactor: number
  /** `min.insync.replicas`, when given. */
  minInsyncReplicas?: number
  /** Other topic configs, e.g. `cleanup.policy`. */
  config?: Record<string, string>
}

/** Per partition: the first offset still kept and the next offset to be written. */
export interface PartitionOffsets {
  partition: number
  low: string
  high: string
}

export function describeCluster(c: ConnectionSettings): Promise<ClusterView> {
  return withAdmin(c, async (admin) => {
    const { clusterId, controller, brokers } = await admin.describeCluster()
    const sorted = [...brokers].sort((a, b) => a.nodeId - b.nodeId)
    return { clusterId, controller, brokers: sorted.map(({ nodeId, host, port }) => ({ nodeId, host, port })) }
  })
}

/** The partitions of `topics` (every topic's when omitted; internal ones left out), sorted by name. */
export function describeTopics(c: ConnectionSettings, topics?: string[]): Promise<TopicView[]> {
  return withAdmin(c, async (admin) => {
    const names = topics ?? (await admin.listTopics()).filter((t) => !t.startsWith('__'))
    if (names.length === 0) return []
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names })
    return metadata
      .map((t) => ({
        name: t.name,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
          .sort((a, b) => a.partition - b.partition)
      }))
      .sort((a, b) => a.name.localeCompare(b.name))
  })
}

/** Creates the topic and waits for its leaders; false when it exists already. */
export function createTopic(c: ConnectionSettings, t: NewTopic): Promise<boolean> {
  return withAdmin(c, (admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: [
            ...Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
            ...(t.minInsyncReplicas === undefined
              ? []
              : [{ name: 'min.insync.replicas', value: String(t.minInsyncReplicas) }])
          ]
        }
      ]
    })
  )
}

/** The topic's offsets per partition, sorted by partition. */
export function topicOffsets(c: ConnectionSettings, topic: string): Promise<PartitionOffsets[]> {
  return withAdmin(c, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic)
    return offsets
      .map(({ partition, low, high }) => ({ partition, low, high }))
      .sort((a, b) => a.partition - b.partition)
  })
}

/** Deletes consumer groups (the console's own, once their reader stopped). */
export async function deleteGroups(c: ConnectionSettings, groups: string[]): Promise<void> {
  await withAdmin(c, async (admin) => {
    await admin.deleteGroups(groups)
  })
}

/** The consumer groups whose id starts with `prefix` (to check that none is left behind). */
export function listGroups(c: ConnectionSettings, prefix: string): Promise<string[]> {
  return withAdmin(c, async (admin) => {
    const { groups } = await admin.listGroups()
    return groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix))
  })
}
