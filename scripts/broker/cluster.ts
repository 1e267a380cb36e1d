/**
 * The three-node cluster's processes, through the single broker's harness (jars, PKI, storage
 * formatting, launch, signals): start whichever nodes are not running and wait until all three are
 * in the quorum and serving; stop, reset and status; and one node at a time for fault tests: SIGTERM,
 * SIGKILL, SIGSTOP / SIGCONT. Its configuration is ./cluster-config.ts.
 */
import * as fs from 'node:fs'
import { Kafka, logLevel } from 'kafkajs'
// The harness's own kafkajs clients without kafkajs's idle 1 ms timer loop, like the destination's.
import '../../src/kafka/request-queue'
import {
  CLUSTER_PORT_ENV,
  CLUSTER_SIZE,
  clusterInfo,
  clusterLayout,
  NODE_HEAP,
  NODE_JVM,
  nodePropertyMap,
  type ClusterInfo,
  type ClusterLayout,
  type ClusterOptions,
  type NodeLayout,
  type NodePorts
} from './cluster-config'
import { formatProperties, HOST } from './config'
import {
  alive,
  crash,
  formatStorage,
  launch,
  portAnswers,
  randomClusterId,
  readPid,
  sleep,
  tail,
  terminate
} from './lifecycle'
import { ensurePki } from './pki'
import { BrokerError, checkPrerequisites, ensureJars } from './toolchain'

const READY_TIMEOUT_MS = 120_000

export interface ClusterStartResult {
  info: ClusterInfo
  /** Ids of the nodes this call started (empty when all three were running). */
  started: number[]
}

/** Whether `pid` is stopped by SIGSTOP (state T in /proc/<pid>/stat). */
export function paused(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')
  } catch {
    return false
  }
}

function clusterId(c: ClusterLayout): string {
  if (fs.existsSync(c.clusterIdFile)) return fs.readFileSync(c.clusterIdFile, 'utf8').trim()
  fs.mkdirSync(c.dir, { recursive: true })
  const id = randomClusterId(c.nodes[0])
  fs.writeFileSync(c.clusterIdFile, id)
  return id
}

/**
 * Starts every node that is not running (a paused one is resumed), then waits until all three are
 * in the quorum and serving. Nodes already running are left as they are.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<ClusterStartResult> {
  const c = clusterLayout(options)
  const toStart: NodeLayout[] = []
  for (const node of c.nodes) {
    const pid = readPid(node)
    if (alive(pid)) {
      if (paused(pid)) process.kill(pid, 'SIGCONT')
      continue
    }
    for (const port of Object.values(node.ports))
      if (await portAnswers(port))
        throw new BrokerError(
          `port ${port} (cluster node ${node.id}) is taken by a process this harness did not start: stop it or set ${CLUSTER_PORT_ENV}`
        )
    toStart.push(node)
  }
  if (toStart.length) {
    checkPrerequisites()
    ensureJars(c.libs)
    ensurePki(c.pki)
    const id = clusterId(c)
    for (const node of toStart) {
      fs.mkdirSync(node.logs, { recursive: true })
      fs.writeFileSync(node.properties, formatProperties(nodePropertyMap(c, node)))
      formatStorage(node, id)
      launch(node, NODE_HEAP, NODE_JVM)
    }
  }
  await waitServing(c)
  const info = clusterInfo(
    c,
    c.nodes.map((n) => readPid(n) ?? 0)
  )
  fs.writeFileSync(c.infoFile, JSON.stringify(info, null, 2))
  return { info, started: toStart.map((n) => n.id) }
}

interface QuorumState {
  leaderId: number
  leaderEpoch: number
}

/** The quorum leader and epoch a node last recorded (KRaft's `quorum-state` file), if any. */
export function quorumState(node: NodeLayout): QuorumState | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(node.quorumState, 'utf8')) as Partial<QuorumState>
    return typeof s.leaderId === 'number' && s.leaderId > 0 && typeof s.leaderEpoch === 'number'
      ? { leaderId: s.leaderId, leaderEpoch: s.leaderEpoch }
      : undefined
  } catch {
    return undefined
  }
}

/** Broker ids the cluster's metadata lists as serving (registered and unfenced), through `bootstrap`. */
export async function servingBrokers(bootstrap: string[]): Promise<number[]> {
  const admin = new Kafka({
    brokers: bootstrap,
    clientId: 'cluster-harness',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 }
  }).admin()
  try {
    await admin.connect()
    const { brokers } = await admin.describeCluster()
    return brokers.map((b) => b.nodeId).sort()
  } catch {
    return []
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

/**
 * Until every node runs, agrees on one quorum leader and epoch (all three voters follow it), and the
 * metadata lists all three brokers as serving. A node that exits meanwhile fails with its log.
 */
async function waitServing(c: ClusterLayout): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  const bootstrap = c.nodes.map((n) => `${HOST}:${n.ports.plaintext}`)
  let last = ''
  while (Date.now() < deadline) {
    for (const node of c.nodes) {
      if (!alive(readPid(node)))
        throw new BrokerError(`cluster node ${node.id} is not running; its last log lines:\n${tail(logFile(node))}`)
    }
    const states = c.nodes.map(quorumState)
    const agreed = states.every(
      (s) => s && s.leaderId === states[0]?.leaderId && s.leaderEpoch === states[0].leaderEpoch
    )
    const serving = agreed ? await servingBrokers(bootstrap) : []
    if (serving.length === CLUSTER_SIZE) return
    last = `quorum ${JSON.stringify(states)}, serving brokers ${JSON.stringify(serving)}`
    await sleep(500)
  }
  throw new BrokerError(`the cluster was not serving within ${READY_TIMEOUT_MS / 1000} s (${last})`)
}

const logFile = (node: NodeLayout): string => `${node.logs}/kafka.out`

function node(options: ClusterOptions, id: number): NodeLayout {
  const n = clusterLayout(options).nodes.find((x) => x.id === id)
  if (!n) throw new BrokerError(`the cluster has no node ${id} (nodes are 1 to ${CLUSTER_SIZE})`)
  return n
}

/** SIGTERM one node (a clean shutdown: it hands its leaderships over first); resolves once it is gone. */
export async function stopNode(id: number, options: ClusterOptions = {}): Promise<boolean> {
  const n = node(options, id)
  const pid = readPid(n)
  if (!alive(pid)) return false
  if (paused(pid)) process.kill(pid, 'SIGCONT')
  await terminate(pid)
  fs.rmSync(n.pidFile, { force: true })
  return true
}

/** SIGKILL one node (a crash; its data stays as a crash leaves it). */
export async function killNode(id: number, options: ClusterOptions = {}): Promise<void> {
  const n = node(options, id)
  const pid = readPid(n)
  if (!alive(pid)) return
  await crash(pid)
  fs.rmSync(n.pidFile, { force: true })
}

/** SIGSTOP one node: a hung broker, its sockets open but silent. */
export function pauseNode(id: number, options: ClusterOptions = {}): void {
  const pid = readPid(node(options, id))
  if (!alive(pid)) throw new BrokerError(`cluster node ${id} is not running`)
  process.kill(pid, 'SIGSTOP')
}

/** SIGCONT a paused node. */
export function resumeNode(id: number, options: ClusterOptions = {}): void {
  const pid = readPid(node(options, id))
  if (alive(pid)) process.kill(pid, 'SIGCONT')
}

/** Stops every node (SIGTERM, all at once); resolves once none is left. */
export async function stopCluster(options: ClusterOptions = {}): Promise<number[]> {
  const c = clusterLayout(options)
  const stopped = await Promise.all(c.nodes.map(async (n) => ((await stopNode(n.id, options)) ? n.id : 0)))
  return stopped.filter((id) => id > 0)
}

/** Stops the cluster and wipes its data and cluster id (jars and PKI stay). */
export async function resetCluster(options: ClusterOptions = {}): Promise<void> {
  const c = clusterLayout(options)
  await stopCluster(options)
  for (const n of c.nodes) fs.rmSync(n.data, { recursive: true, force: true })
  fs.rmSync(c.clusterIdFile, { force: true })
  fs.rmSync(c.infoFile, { force: true })
}

export interface NodeStatus {
  id: number
  pid?: number
  running: boolean
  paused: boolean
  listeners: { name: keyof NodePorts; port: number; answers: boolean }[]
  quorum?: QuorumState
}

export async function clusterStatus(options: ClusterOptions = {}): Promise<{ nodes: NodeStatus[]; serving: number[] }> {
  const c = clusterLayout(options)
  const nodes = await Promise.all(
    c.nodes.map(async (n): Promise<NodeStatus> => {
      const pid = readPid(n)
      const running = alive(pid)
      const listeners = await Promise.all(
        (Object.keys(n.ports) as (keyof NodePorts)[]).map(async (name) => ({
          name,
          port: n.ports[name],
          answers: running && !paused(pid) ? await portAnswers(n.ports[name]) : false
        }))
      )
      return {
        id: n.id,
        pid: running ? pid : undefined,
        running,
        paused: running && paused(pid),
        listeners,
        quorum: quorumState(n)
      }
    })
  )
  const live = c.nodes.filter((_, i) => nodes[i].running && !nodes[i].paused)
  const serving = live.length ? await servingBrokers(live.map((n) => `${HOST}:${n.ports.plaintext}`)) : []
  return { nodes, serving }
}

/** The running cluster's facts, as written by the last `startCluster`. */
export function readClusterInfo(options: ClusterOptions = {}): ClusterInfo {
  const c = clusterLayout(options)
  if (!fs.existsSync(c.infoFile)) throw new BrokerError(`no cluster info at ${c.infoFile}: run npm run cluster:start`)
  return JSON.parse(fs.readFileSync(c.infoFile, 'utf8')) as ClusterInfo
}
