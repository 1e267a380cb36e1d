/**
 * What integration tests share: the running broker's facts, unique topic names, topic creation
 * with cleanup, and reading records back with an independent client (kcat, i.e. librdkafka).
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import { Kafka, logLevel, type Admin } from 'kafkajs'
// The tests' own kafkajs clients without kafkajs's idle 1 ms timer loop, like the destination's.
import '../../src/kafka/request-queue'
import { readInfo, type BrokerInfo } from '../../scripts/broker/broker'
import { until } from './wait'

export function broker(): BrokerInfo {
  return readInfo()
}

export function pem(file: keyof BrokerInfo['pki']): string {
  return fs.readFileSync(broker().pki[file], 'utf8')
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({
    brokers: [broker().bootstrap.plaintext],
    clientId: 'test-admin',
    logLevel: logLevel.NOTHING
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.disconnect()
  }
}

const created: string[] = []

/**
 * Creates a topic and returns once the leader of every partition accepts requests for it;
 * test/helpers/cleanup.ts deletes it after the current test file. Under load the broker's metadata
 * lists a partition's leader a moment before that broker acts as its leader: a produce in between is
 * refused for that partition (NOT_LEADER_OR_FOLLOWER), and kafkajs then resends the whole request, so
 * the partitions of it that were written land twice. So wait for the condition itself: the metadata
 * lists every leader and every leader answers ListOffsets for its partition, which a broker serves
 * only as the partition's leader, as it does a produce.
 */
export async function createTopic(topic = uniqueTopic(), numPartitions = 1): Promise<string> {
  await withAdmin(async (admin) => {
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions }] })
    const served = async (): Promise<boolean> => {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined)
      const partitions = metadata?.topics[0]?.partitions ?? []
      if (partitions.length !== numPartitions || partitions.some((p) => p.leader < 0)) return false
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => [])
      return offsets.length === numPartitions
    }
    await until(served, 30_000, 100)
    if (!(await served())) throw new Error(`topic ${topic}: the broker does not serve its ${numPartitions} partitions`)
  })
  created.push(topic)
  return topic
}

/** Deletes the topics this test file created (registered by cleanup.ts for every integration file). */
export async function deleteCreatedTopics(): Promise<void> {
  if (created.length) await deleteTopics(created.splice(0))
}

export async function deleteTopics(topics: string[]): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics, timeout: 10000 })).catch(() => undefined)
}

export interface ReadRecord {
  topic: string
  partition: number
  offset: number
  /** Milliseconds since the epoch. */
  timestamp: number
  key: string | null
  value: string | null
  headers: Record<string, string>
}

/**
 * Every record of a topic from the beginning, read by kcat (librdkafka), not by kafkajs.
 * Reads over PLAINTEXT from the project's broker; stops at the end of every partition.
 */
export function readTopic(topic: string, timeoutMs = 20000): Promise<ReadRecord[]> {
  return readTopicAt(broker().bootstrap.plaintext, topic, timeoutMs)
}

/** The same, from the PLAINTEXT listener at `bootstrap` (e.g. a test's own broker). */
export function readTopicAt(bootstrap: string, topic: string, timeoutMs = 60000): Promise<ReadRecord[]> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-J', '-q']
  return new Promise((resolve, reject) => {
    execFile('kcat', args, { timeout: timeoutMs, maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`kcat failed: ${error.message}\n${stderr}`))
      const records = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => {
          const r = JSON.parse(line) as {
            topic: string
            partition: number
            offset: number
            ts: number
            key: string | null
            payload: string | null
            headers?: string[]
          }
          const headers: Record<string, string> = {}
          for (let i = 0; r.headers && i < r.headers.length; i += 2) headers[r.headers[i]] = r.headers[i + 1]
          return {
            topic: r.topic,
            partition: r.partition,
            offset: r.offset,
            timestamp: r.ts,
            key: r.key,
            value: r.payload,
            headers
          }
        })
      resolve(records)
    })
  })
}

/** A kafkajs client for the plaintext listener, for tests that need one (not for read-back checks). */
export function plainKafka(clientId = 'test'): Kafka {
  return new Kafka({ brokers: [broker().bootstrap.plaintext], clientId, logLevel: logLevel.NOTHING })
}
