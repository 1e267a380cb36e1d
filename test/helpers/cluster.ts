/**
 * The three-node cluster for tests (started by the integration tests' global setup, or by
 * `npm run cluster:start`): stop / SIGKILL / SIGSTOP / SIGCONT / restart one node, replicated topics,
 * the leader of a partition, waiting until every partition's ISR is full again, and reading a topic
 * back with kcat. Admin calls go only to nodes that are running and not paused.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { clusterLayout, CLUSTER_SIZE, type ClusterInfo } from '../../scripts/broker/cluster-config'
import {
  killNode,
  pauseNode,
  paused,
  readClusterInfo,
  resumeNode,
  startCluster,
  stopNode
} from '../../scripts/broker/cluster'
import { alive, readPid } from '../../scripts/broker/lifecycle'
import { readTopicAt, type ReadRecord } from './kafka'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export function clusterFacts(): ClusterInfo {
  return readClusterInfo()
}

/** Ids of the nodes running and not paused. */
export function liveNodes(): number[] {
  return clusterLayout()
    .nodes.filter((n) => {
      const pid = readPid(n)
      return alive(pid) && !paused(pid)
    })
    .map((n) => n.id)
}

/** PLAINTEXT addresses of the given nodes (default: the live ones). */
export function bootstrapOf(ids: number[] = liveNodes()): string {
  const facts = clusterFacts()
  return ids.map((id) => facts.nodes.find((n) => n.id === id)?.bootstrap.plaintext).join(',')
}

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({
    brokers: bootstrapOf().split(','),
    clientId: 'cluster-test-admin',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10000,
    retry: { retries: 3 }
  }).admin()
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.disconnect()
  }
}

const created: string[] = []

/**
 * A topic with `partitions` partitions, replication factor 3; resolves once every ISR is full. Not
 * kafkajs's waitForLeaders: right after nodes restart, its metadata wait fails on a node that does not
 * host the partition yet instead of waiting, so waitFullIsr (which retries) does the waiting.
 */
export async function createReplicatedTopic(topic: string, partitions = 3): Promise<string> {
  await withAdmin((a) =>
    a.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] })
  )
  created.push(topic)
  await waitFullIsr(topic)
  return topic
}

/** A one-partition topic whose only replica is on node `id`: it is unavailable while that node is down. */
export async function createTopicOn(topic: string, id: number): Promise<string> {
  await withAdmin((a) =>
    a.createTopics({
      waitForLeaders: false,
      topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [id] }] }]
    })
  )
  created.push(topic)
  const deadline = Date.now() + 60_000
  while ((await partitions(topic).catch(() => []))[0]?.leader !== id) {
    if (Date.now() > deadline) throw new Error(`${topic} has no leader on node ${id}`)
    await sleep(250)
  }
  return topic
}

/** Deletes the topics created through createReplicatedTopic and createTopicOn (for afterAll). */
export async function deleteReplicatedTopics(): Promise<void> {
  const topics = created.splice(0)
  if (topics.length) await withAdmin((a) => a.deleteTopics({ topics, timeout: 10000 })).catch(() => undefined)
}

export interface PartitionState {
  partition: number
  leader: number
  isr: number[]
}

export async function partitions(topic: string): Promise<PartitionState[]> {
  const { topics } = await withAdmin((a) => a.fetchTopicMetadata({ topics: [topic] }))
  return topics[0].partitions
    .map((p) => ({ partition: p.partitionId, leader: p.leader, isr: [...p.isr].sort() }))
    .sort((a, b) => a.partition - b.partition)
}

/** The node leading `partition` of `topic`, as the metadata of a live node says. */
export async function leaderOf(topic: string, partition = 0): Promise<number> {
  const p = (await partitions(topic)).find((x) => x.partition === partition)
  if (!p) throw new Error(`${topic} has no partition ${partition}`)
  return p.leader
}

/** The node leading the most partitions of `topic` (the busiest leader). */
export async function busiestLeader(topic: string): Promise<number> {
  const counts = new Map<number, number>()
  for (const p of await partitions(topic)) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0]
}

/** Until every partition of `topic` has a leader and all three replicas in its ISR. */
export async function waitFullIsr(topic: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: PartitionState[] = []
  while (Date.now() < deadline) {
    last = await partitions(topic).catch(() => [])
    if (last.length && last.every((p) => p.leader > 0 && p.isr.length === CLUSTER_SIZE)) return
    await sleep(250)
  }
  throw new Error(`the ISR of ${topic} was not full within ${timeoutMs} ms: ${JSON.stringify(last)}`)
}

/** One node at a time, the way operations and failures touch it. */
export const node = {
  /** SIGTERM: a clean shutdown (leaderships handed over). */
  stop: (id: number): Promise<boolean> => stopNode(id),
  /** SIGKILL: a crash. */
  kill: (id: number): Promise<void> => killNode(id),
  /** SIGSTOP: hung, sockets open but silent. */
  pause: (id: number): void => pauseNode(id),
  /** SIGCONT. */
  resume: (id: number): void => resumeNode(id),
  /** Starts whichever nodes are not running; resolves once all three are in the quorum and serving. */
  startMissing: async (): Promise<number[]> => (await startCluster()).started,
  /** SIGTERM, then started again; resolves once it serves again. */
  restart: async (id: number): Promise<void> => {
    await stopNode(id)
    await startCluster()
  }
}

/** Every record of `topic`, read by kcat through the live nodes. */
export function readClusterTopic(topic: string): Promise<ReadRecord[]> {
  return readTopicAt(bootstrapOf(), topic, 120_000)
}
