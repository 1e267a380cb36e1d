/**
 * A broker of a test's own, for faults the shared broker must never see: its own folder under
 * `.kafka/` and its own ports, so killing, restarting or reconfiguring it touches nothing else.
 * Built on the harness (scripts/broker/broker.ts): `kill` is a SIGKILL that keeps the data, `start`
 * again reuses it. Records are read back with kcat (librdkafka), as the shared broker's helpers do.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import {
  kill,
  reset,
  ROOT,
  start,
  stop,
  type BrokerInfo,
  type BrokerOptions,
  type BrokerPorts
} from '../../scripts/broker/broker'
import { readTopicAt, type ReadRecord } from './kafka'
import { ownPorts } from './own-ports'

export interface OwnBroker {
  options: BrokerOptions
  dir: string
  ports: BrokerPorts
  /** PLAINTEXT bootstrap address. */
  bootstrap: string
  start(): Promise<BrokerInfo>
  /** SIGKILL, data kept (a crash). */
  kill(): Promise<void>
  /** Graceful stop, data kept. */
  stop(): Promise<void>
  /** Stop and wipe the data (jars and PKI stay), for afterAll. */
  destroy(): Promise<void>
  createTopic(topic: string, partitions?: number): Promise<string>
  readTopic(topic: string, timeoutMs?: number): Promise<ReadRecord[]>
}

/**
 * A killed broker's old registration must expire before the restarted one is accepted by its own
 * controller (9 s by default): a shorter session makes restarts quicker.
 */
export const FAST_RESTART = { 'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500 }

/** `slot` picks the ports (see own-ports.ts); each test file uses its own slot and name. */
export function ownBroker(name: string, slot: number, overrides: Record<string, string | number> = {}): OwnBroker {
  const dir = ownBrokerDir(name)
  const ports: BrokerPorts = ownPorts(slot)
  // No OIDC listener: these brokers are killed and restarted whatever the identity provider does.
  const options: BrokerOptions = { dir, ports, overrides, oidc: false }
  const bootstrap = `127.0.0.1:${ports.plaintext}`
  const admin = async <T>(fn: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> => {
    const a = new Kafka({ brokers: [bootstrap], clientId: `admin-${name}`, logLevel: logLevel.NOTHING }).admin()
    await a.connect()
    try {
      return await fn(a)
    } finally {
      await a.disconnect()
    }
  }
  return {
    options,
    dir,
    ports,
    bootstrap,
    start: async () => (await start(options)).info,
    kill: () => kill(options),
    stop: async () => void (await stop(options)),
    destroy: () => reset(options),
    createTopic: async (topic, partitions = 1) => {
      await admin((a) => a.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] }))
      return topic
    },
    readTopic: (topic, timeoutMs) => readTopicAt(bootstrap, topic, timeoutMs)
  }
}

/** The folder of the own broker called `name` (its PKI, data and logs). */
export function ownBrokerDir(name: string): string {
  return path.join(ROOT, '.kafka', `fault-${name}`)
}

/**
 * Established TCP connections of this process to `port` on the local host: the socket inodes of
 * /proc/self/fd matched with /proc/net/tcp and tcp6 (Linux only).
 */
export function openSocketsTo(port: number): number {
  const inodes = new Set<string>()
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch {
      // the fd closed while listing
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  let count = 0
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = fs.readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10) continue
      const [, remote, state] = [cols[1], cols[2], cols[3]]
      if (state === '01' && remote.endsWith(`:${hexPort}`) && inodes.has(cols[9])) count++
    }
  }
  return count
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts `b` before the tests of the file and, after them, closes the pooled producers and destroys it. */
export function useOwnBroker(b: OwnBroker, closeAllProducers: () => Promise<void>): void {
  beforeAll(() => b.start(), 120_000)
  afterAll(async () => {
    await closeAllProducers()
    await b.destroy()
  }, 60_000)
}
