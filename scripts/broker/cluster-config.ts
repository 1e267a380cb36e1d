/**
 * The three-node replicated cluster's configuration: each node a KRaft broker + controller (a
 * three-voter quorum) with PLAINTEXT and SASL_SSL listeners, replication factor 3,
 * min.insync.replicas 2 and no unclean leader election. A node's `server.properties` starts from the
 * single broker's (./config.ts: users, TLS stores, SASL) and replaces what a cluster changes. Pure:
 * the processes are ./cluster.ts.
 */
import * as path from 'node:path'
import { HOST, ROOT, serverPropertyMap, USERS, type Layout } from './config'
import type { JvmFiles } from './lifecycle'
import { PKI_FILES, type PkiFile } from './pki'
import { BrokerError } from './toolchain'

export const CLUSTER_SIZE = 3

export interface NodePorts {
  plaintext: number
  saslSsl: number
  controller: number
}

/**
 * Node n (1..3) listens on base+n (PLAINTEXT), base+3+n (SASL_SSL) and base+6+n (CONTROLLER):
 * 26091-26099 by default, apart from the single broker's 19092-19099 and below Linux's ephemeral
 * range (32768-60999), where a client socket could hold a port a restarted node needs.
 */
export const CLUSTER_BASE_PORT = 26090
export const CLUSTER_PORT_ENV = 'KAFKA_CLUSTER_BASE_PORT'

/**
 * Failure detection sized for tests: a dead or hung node is fenced (and its partitions led elsewhere)
 * after 4 s without heartbeats rather than 9 s; a follower that stops fetching leaves the ISR after
 * 10 s rather than 30 s. Everything else is Kafka's default.
 */
export const CLUSTER_TIMINGS = {
  'broker.session.timeout.ms': 4000,
  'broker.heartbeat.interval.ms': 1000,
  'replica.lag.time.max.ms': 10000
}

/** Each JVM's heap and GC threads: three nodes next to the single broker on a 2-core, 24 GiB machine. */
export const NODE_HEAP = ['-Xms256m', '-Xmx512m']
export const NODE_JVM = ['-XX:ParallelGCThreads=1', '-XX:ConcGCThreads=1']

export interface ClusterOptions {
  /** The work folder (default `.kafka/` or `$KAFKA_WORK_DIR`); the cluster lives in `<dir>/cluster/`. */
  dir?: string
  basePort?: number
  /** Extra or replacing `server.properties` entries for every node. */
  overrides?: Record<string, string | number>
}

export interface NodeLayout extends JvmFiles {
  id: number
  dir: string
  ports: NodePorts
  quorumState: string
}

export interface ClusterLayout {
  dir: string
  /** `<work dir>/cluster.json`, beside the single broker's `broker.json`. */
  infoFile: string
  clusterIdFile: string
  pki: string
  libs: string
  classes: string
  nodes: NodeLayout[]
  overrides: Record<string, string | number>
}

export interface ClusterNodeInfo {
  id: number
  pid: number
  ports: NodePorts
  bootstrap: { plaintext: string; saslSsl: string }
  logFile: string
  dataDir: string
}

/** What tests read: written to `<work dir>/cluster.json` by `cluster:start`. */
export interface ClusterInfo {
  host: string
  bootstrap: { plaintext: string; saslSsl: string }
  nodes: ClusterNodeInfo[]
  replicationFactor: number
  minInsyncReplicas: number
  users: typeof USERS
  pki: Record<PkiFile, string>
}

export function clusterLayout(options: ClusterOptions = {}): ClusterLayout {
  const work = path.resolve(options.dir ?? process.env.KAFKA_WORK_DIR ?? path.join(ROOT, '.kafka'))
  const dir = path.join(work, 'cluster')
  const base = options.basePort ?? basePortFromEnv()
  if (base + 3 * CLUSTER_SIZE >= 32768) throw new BrokerError(`${CLUSTER_PORT_ENV}=${base} reaches the ephemeral range`)
  const nodes = Array.from({ length: CLUSTER_SIZE }, (_, i): NodeLayout => {
    const id = i + 1
    const nodeDir = path.join(dir, `node-${id}`)
    const data = path.join(nodeDir, 'data')
    return {
      id,
      dir: nodeDir,
      ports: { plaintext: base + id, saslSsl: base + CLUSTER_SIZE + id, controller: base + 2 * CLUSTER_SIZE + id },
      libs: path.join(ROOT, '.kafka', 'libs'),
      classes: path.join(ROOT, '.kafka', 'oauth-classes'),
      data,
      logs: path.join(nodeDir, 'logs'),
      pidFile: path.join(nodeDir, 'kafka.pid'),
      properties: path.join(nodeDir, 'server.properties'),
      quorumState: path.join(data, '__cluster_metadata-0', 'quorum-state')
    }
  })
  return {
    dir,
    infoFile: path.join(work, 'cluster.json'),
    clusterIdFile: path.join(dir, 'cluster.id'),
    pki: path.join(dir, 'pki'),
    libs: nodes[0].libs,
    classes: nodes[0].classes,
    nodes,
    overrides: options.overrides ?? {}
  }
}

function basePortFromEnv(): number {
  const text = process.env[CLUSTER_PORT_ENV]
  if (!text) return CLUSTER_BASE_PORT
  const port = Number(text)
  if (!Number.isInteger(port) || port < 1 || port > 65535 - 3 * CLUSTER_SIZE)
    throw new BrokerError(`${CLUSTER_PORT_ENV}="${text}" is not a TCP port`)
  return port
}

const LISTENERS = ['PLAINTEXT', 'SASL_SSL', 'CONTROLLER']

/** One node's `server.properties` entries. */
export function nodePropertyMap(c: ClusterLayout, node: NodeLayout): Record<string, string | number> {
  const p = node.ports
  const asSingle: Layout = {
    ...node,
    pki: c.pki,
    infoFile: c.infoFile,
    ports: { ...p, sasl: 0, ssl: 0, iam: 0, oidc: 0 },
    overrides: {}
  }
  // The single broker's listeners other than these two are not opened here: drop their settings.
  const kept = LISTENERS.map((l) => l.toLowerCase())
  const props = Object.fromEntries(
    Object.entries(serverPropertyMap(asSingle)).filter(
      ([key]) => !key.startsWith('listener.name.') || kept.includes(key.split('.')[2])
    )
  )
  Object.assign(props, {
    'node.id': node.id,
    'controller.quorum.voters': c.nodes.map((n) => `${n.id}@${HOST}:${n.ports.controller}`).join(','),
    listeners: `PLAINTEXT://${HOST}:${p.plaintext},SASL_SSL://${HOST}:${p.saslSsl},CONTROLLER://${HOST}:${p.controller}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${p.plaintext},SASL_SSL://${HOST}:${p.saslSsl}`,
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
    'num.partitions': 3,
    'default.replication.factor': CLUSTER_SIZE,
    'min.insync.replicas': 2,
    'unclean.leader.election.enable': 'false',
    'offsets.topic.replication.factor': CLUSTER_SIZE,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': CLUSTER_SIZE,
    'transaction.state.log.min.isr': 2,
    'share.coordinator.state.topic.replication.factor': CLUSTER_SIZE,
    'share.coordinator.state.topic.min.isr': 2,
    'num.replica.fetchers': 1,
    ...CLUSTER_TIMINGS
  })
  return Object.assign(props, c.overrides)
}

export function clusterInfo(c: ClusterLayout, pids: number[]): ClusterInfo {
  const list = (key: keyof NodePorts): string => c.nodes.map((n) => `${HOST}:${n.ports[key]}`).join(',')
  return {
    host: HOST,
    bootstrap: { plaintext: list('plaintext'), saslSsl: list('saslSsl') },
    nodes: c.nodes.map((n, i) => ({
      id: n.id,
      pid: pids[i],
      ports: n.ports,
      bootstrap: { plaintext: `${HOST}:${n.ports.plaintext}`, saslSsl: `${HOST}:${n.ports.saslSsl}` },
      logFile: path.join(n.logs, 'kafka.out'),
      dataDir: n.data
    })),
    replicationFactor: CLUSTER_SIZE,
    minInsyncReplicas: 2,
    users: USERS,
    pki: Object.fromEntries(Object.entries(PKI_FILES).map(([k, f]) => [k, path.join(c.pki, f)])) as Record<
      PkiFile,
      string
    >
  }
}
