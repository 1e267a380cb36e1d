/**
 * The project's own single-node Apache Kafka broker (KRaft, broker + controller in one JVM), built
 * from Kafka's jars on Maven Central: no Docker, no release tarball. Used by `npm run broker:*`, the
 * Jest global setup, the local server and the benchmarks, so every one of them runs the same broker.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { addOidcListener, oidcFacts, oidcJvmFlags, oidcListenerOf, prepareOidcListener } from './oidc'
import type { OidcFacts, OidcListener, OidcMode } from './oidc'
import { ensurePki, PKI_FILES, type PkiFile } from './pki'
import { BrokerError, checkPrerequisites, ensureJars, ensureValidator, VALIDATOR_CLASS } from './toolchain'

export { BrokerError, checkPrerequisites } from './toolchain'
export { CERT_EXTENSIONS, createCa, issueCertificate } from './pki'

export const ROOT = path.resolve(__dirname, '..', '..')
const HARNESS = __dirname

export interface BrokerPorts {
  plaintext: number
  sasl: number
  ssl: number
  saslSsl: number
  controller: number
  /** SASL_SSL with OAUTHBEARER, validated like Amazon MSK's IAM auth. Default: the plaintext port + 4. */
  iam: number
  /** SASL_SSL with OAUTHBEARER, OIDC tokens validated by Kafka (./oidc.ts). Default: the plaintext port + 5. */
  oidc: number
}

export interface BrokerOptions {
  /** Folder for jars, PKI, data and logs (git-ignored). Default `.kafka/` or `$KAFKA_WORK_DIR`. */
  dir?: string
  ports?: Partial<BrokerPorts>
  /** Extra or replacing `server.properties` entries (e.g. a lowered `connections.max.idle.ms`). */
  overrides?: Record<string, string | number>
  /** The OIDC listener: `auto` (default) opens it when the identity provider is ready. */
  oidc?: OidcMode
}

/** What tests, the server and the benchmarks read: written to `<dir>/broker.json`. */
export interface BrokerInfo {
  pid: number
  host: string
  ports: BrokerPorts
  bootstrap: { plaintext: string; sasl: string; ssl: string; saslSsl: string; iam: string }
  users: { username: string; password: string; mechanisms: string[] }[]
  /** The only AWS credentials the IAM listener accepts (test values, not real AWS keys). */
  aws: typeof AWS_IAM
  pki: Record<PkiFile, string>
  logFile: string
  dataDir: string
  /** The OIDC listener, when the identity provider was ready at the broker's start. */
  oidc?: OidcFacts
}

export const USERS = [
  { username: 'alice', password: 'alice-secret', mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] },
  { username: 'bob', password: 'bob-secret', mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] }
]

/**
 * Test credentials for the IAM listener: a long-term access key, and the temporary credentials a
 * (local, fake) STS hands out when `roleArn` is assumed. Tokens must be signed for `region`.
 */
export const AWS_IAM = {
  region: 'eu-west-1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  roleArn: 'arn:aws:iam::123456789012:role/kafka-producer',
  assumedRole: {
    accessKeyId: 'ASIAQWERTYUIOPEXAMPLE',
    secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
    sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE+session/token=='
  }
}

// Ports of a second broker belong below 32768: Linux hands out 32768-60999 as the local ports of
// client sockets, so a listener there can find its port taken ("Address already in use").
const DEFAULT_PORTS: BrokerPorts = {
  plaintext: 19092,
  sasl: 19093,
  ssl: 19094,
  saslSsl: 19095,
  controller: 19099,
  iam: 19096,
  oidc: 19097
}
const PORT_ENV: Record<keyof BrokerPorts, string> = {
  plaintext: 'KAFKA_PLAINTEXT_PORT',
  sasl: 'KAFKA_SASL_PORT',
  ssl: 'KAFKA_SSL_PORT',
  saslSsl: 'KAFKA_SASL_SSL_PORT',
  controller: 'KAFKA_CONTROLLER_PORT',
  iam: 'KAFKA_IAM_PORT',
  oidc: 'KAFKA_OIDC_PORT'
}
const HOST = '127.0.0.1'
const READY_TIMEOUT_MS = 90_000
const STOP_TIMEOUT_MS = 30_000

interface Layout {
  dir: string
  libs: string
  /** The compiled IAM token validator (shared by every broker folder, like the jars). */
  classes: string
  pki: string
  data: string
  logs: string
  pidFile: string
  infoFile: string
  properties: string
  ports: BrokerPorts
  overrides: Record<string, string | number>
  oidc?: OidcListener
}

export function layout(options: BrokerOptions = {}): Layout {
  const dir = path.resolve(options.dir ?? process.env.KAFKA_WORK_DIR ?? path.join(ROOT, '.kafka'))
  const ports = brokerPorts(options.ports)
  return {
    dir,
    // Jars are shared by every broker folder of this checkout: one download.
    libs: path.join(ROOT, '.kafka', 'libs'),
    classes: path.join(ROOT, '.kafka', 'oauth-classes'),
    pki: path.join(dir, 'pki'),
    data: path.join(dir, 'data'),
    logs: path.join(dir, 'logs'),
    pidFile: path.join(dir, 'kafka.pid'),
    infoFile: path.join(dir, 'broker.json'),
    properties: path.join(dir, 'server.properties'),
    ports,
    overrides: options.overrides ?? {},
    oidc: oidcListenerOf(dir)
  }
}

/**
 * Ports given by the caller (a second broker of a test) win; without any, the KAFKA_*_PORT variables
 * move the default broker. A port not given is shifted as far as the plaintext port moved, so a
 * broker moved by its plaintext port alone never collides with the default one.
 */
function brokerPorts(given: Partial<BrokerPorts> | undefined): BrokerPorts {
  const chosen: Partial<BrokerPorts> = { ...given }
  if (!given) {
    for (const key of Object.keys(PORT_ENV) as (keyof BrokerPorts)[]) {
      const fromEnv = process.env[PORT_ENV[key]]
      if (fromEnv) chosen[key] = parsePort(PORT_ENV[key], fromEnv)
    }
  }
  const shift = (chosen.plaintext ?? DEFAULT_PORTS.plaintext) - DEFAULT_PORTS.plaintext
  const ports = { ...DEFAULT_PORTS }
  for (const key of Object.keys(ports) as (keyof BrokerPorts)[]) ports[key] = chosen[key] ?? DEFAULT_PORTS[key] + shift
  return ports
}

function parsePort(name: string, value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BrokerError(`${name}="${value}" is not a TCP port`)
  return port
}

function iamJaas(): string {
  const r = AWS_IAM.assumedRole
  return [
    'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required',
    // The broker logs itself in even though it never sends a token: an unsecured one will do.
    'unsecuredLoginStringClaim_sub="broker"',
    `region="${AWS_IAM.region}"`,
    `key_${AWS_IAM.accessKeyId}="${AWS_IAM.secretAccessKey}"`,
    `key_${r.accessKeyId}="${r.secretAccessKey}"`,
    `sessionToken_${r.accessKeyId}="${r.sessionToken}";`
  ].join(' ')
}

function jaas(kind: 'plain' | 'scram'): string {
  if (kind === 'scram') return 'org.apache.kafka.common.security.scram.ScramLoginModule required;'
  const users = USERS.map((u) => `user_${u.username}="${u.password}"`).join(' ')
  return `org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`
}

export function serverProperties(l: Layout): string {
  const p = l.ports
  const props: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${HOST}:${p.controller}`,
    'controller.listener.names': 'CONTROLLER',
    listeners: `PLAINTEXT://${HOST}:${p.plaintext},SASL_PLAINTEXT://${HOST}:${p.sasl},SSL://${HOST}:${p.ssl},SASL_SSL://${HOST}:${p.saslSsl},CONTROLLER://${HOST}:${p.controller},SASL_IAM://${HOST}:${p.iam}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${p.plaintext},SASL_PLAINTEXT://${HOST}:${p.sasl},SSL://${HOST}:${p.ssl},SASL_SSL://${HOST}:${p.saslSsl},SASL_IAM://${HOST}:${p.iam}`,
    'listener.security.protocol.map':
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,SASL_IAM:SASL_SSL',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': l.data,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': 'true',
    'num.network.threads': 2,
    'num.io.threads': 2,
    'log.cleaner.dedupe.buffer.size': 16777216,
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': path.join(l.pki, 'server-keystore.pem'),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': path.join(l.pki, 'ca.crt'),
    'listener.name.ssl.ssl.client.auth': 'required',
    // Like Amazon MSK's IAM listener: TLS, OAUTHBEARER only, tokens checked as SigV4 requests. The
    // broker ends a session when its token expires (session lifetime needs max.reauth.ms > 0).
    'listener.name.sasl_iam.sasl.enabled.mechanisms': 'OAUTHBEARER',
    'listener.name.sasl_iam.oauthbearer.sasl.server.callback.handler.class': VALIDATOR_CLASS,
    'listener.name.sasl_iam.oauthbearer.sasl.jaas.config': iamJaas(),
    'listener.name.sasl_iam.oauthbearer.connections.max.reauth.ms': 3600000
  }
  for (const listener of ['sasl_plaintext', 'sasl_ssl']) {
    props[`listener.name.${listener}.plain.sasl.jaas.config`] = jaas('plain')
    props[`listener.name.${listener}.scram-sha-256.sasl.jaas.config`] = jaas('scram')
    props[`listener.name.${listener}.scram-sha-512.sasl.jaas.config`] = jaas('scram')
  }
  addOidcListener(props, l.oidc, HOST)
  Object.assign(props, l.overrides)
  return Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
    .concat('\n')
}

function javaArgs(l: Layout): string[] {
  return [
    `-Dlog4j2.configurationFile=${path.join(HARNESS, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${l.logs}`,
    ...oidcJvmFlags(l.oidc),
    '-cp',
    [path.join(l.libs, '*'), l.classes].join(path.delimiter)
  ]
}

function formatStorage(l: Layout): void {
  if (fs.existsSync(path.join(l.data, 'meta.properties'))) return // formatted once, reused as it is
  const clusterId = execFileSync('java', [...javaArgs(l), 'kafka.tools.StorageTool', 'random-uuid'], {
    encoding: 'utf8'
  })
    .trim()
    .split('\n')
    .pop() as string
  const scram = USERS.flatMap((u) =>
    ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
      '--add-scram',
      `${m}=[name=${u.username},password=${u.password}]`
    ])
  )
  const result = spawnSync(
    'java',
    [...javaArgs(l), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', l.properties, ...scram],
    { encoding: 'utf8' }
  )
  if (result.status !== 0)
    throw new BrokerError(`formatting the broker storage failed:\n${result.stdout}${result.stderr}`)
}

function readPid(l: Layout): number | undefined {
  try {
    const pid = Number(fs.readFileSync(l.pidFile, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether `pid` is a running Kafka broker. The command line is checked, not just the pid: a stale pid
 * file (after a reboot) may name an unrelated process, which must never be signalled.
 */
function alive(pid: number | undefined): pid is number {
  if (pid === undefined) return false
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')
  } catch {
    return false
  }
}

export function portAnswers(port: number, host = HOST, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no broker log)'
  }
}

function info(l: Layout, pid: number): BrokerInfo {
  const pki = Object.fromEntries(Object.entries(PKI_FILES).map(([k, f]) => [k, path.join(l.pki, f)])) as Record<
    PkiFile,
    string
  >
  const p = l.ports
  return {
    pid,
    host: HOST,
    ports: p,
    bootstrap: {
      plaintext: `${HOST}:${p.plaintext}`,
      sasl: `${HOST}:${p.sasl}`,
      ssl: `${HOST}:${p.ssl}`,
      saslSsl: `${HOST}:${p.saslSsl}`,
      iam: `${HOST}:${p.iam}`
    },
    users: USERS,
    aws: AWS_IAM,
    pki,
    logFile: path.join(l.logs, 'kafka.out'),
    dataDir: l.data,
    ...oidcFacts(l.oidc, HOST)
  }
}

export interface StartResult {
  info: BrokerInfo
  /** False when a broker was already running and was reused. */
  started: boolean
}

/** Start the broker, or reuse the one already running; resolves once it accepts connections. */
export async function start(options: BrokerOptions = {}): Promise<StartResult> {
  const l = layout(options)
  const running = readPid(l)
  if (alive(running) && (await portAnswers(l.ports.plaintext))) {
    const i = info(l, running)
    fs.writeFileSync(l.infoFile, JSON.stringify(i, null, 2))
    return { info: i, started: false }
  }
  if (await portAnswers(l.ports.plaintext)) {
    throw new BrokerError(
      `port ${l.ports.plaintext} is taken by a process this harness did not start: stop it or set ${PORT_ENV.plaintext}`
    )
  }
  checkPrerequisites()
  fs.mkdirSync(l.logs, { recursive: true })
  ensureJars(l.libs)
  ensureValidator(l.libs, l.classes)
  ensurePki(l.pki)
  l.oidc = await prepareOidcListener(l.dir, l.ports.oidc, options.oidc ?? 'auto', (m) => new BrokerError(m))
  fs.writeFileSync(l.properties, serverProperties(l))
  formatStorage(l)
  const logFile = path.join(l.logs, 'kafka.out')
  const out = fs.openSync(logFile, 'w')
  const child = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...javaArgs(l),
      'kafka.Kafka',
      l.properties
    ],
    { detached: true, stdio: ['ignore', out, out] }
  )
  fs.closeSync(out)
  child.unref()
  const pid = child.pid as number
  fs.writeFileSync(l.pidFile, String(pid))
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (await portAnswers(l.ports.plaintext)) {
      const i = info(l, pid)
      fs.writeFileSync(l.infoFile, JSON.stringify(i, null, 2))
      return { info: i, started: true }
    }
    if (!alive(pid)) throw new BrokerError(`the broker exited during start-up; its last log lines:\n${tail(logFile)}`)
    await sleep(250)
  }
  await stop(options)
  throw new BrokerError(
    `the broker did not accept connections within ${READY_TIMEOUT_MS / 1000} s; its last log lines:\n${tail(logFile)}`
  )
}

/** Stop the broker (SIGTERM, then SIGKILL after 30 s); resolves once the process is gone. */
export async function stop(options: BrokerOptions = {}): Promise<boolean> {
  const l = layout(options)
  const pid = readPid(l)
  if (!alive(pid)) {
    fs.rmSync(l.pidFile, { force: true })
    return false
  }
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + STOP_TIMEOUT_MS
  while (alive(pid) && Date.now() < deadline) await sleep(200)
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL')
    while (alive(pid)) await sleep(100)
  }
  await reaped(pid)
  fs.rmSync(l.pidFile, { force: true })
  return true
}

/**
 * Once a broker has exited, waits (briefly) until its pid is gone too: when this process started the
 * broker, it lingers as a zombie until Node reaps it, and "no process left behind" means none at all.
 */
async function reaped(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await sleep(20)
  }
}

/** Kill the broker with SIGKILL (a crash), leaving its data as a crash would. */
export async function kill(options: BrokerOptions = {}): Promise<void> {
  const l = layout(options)
  const pid = readPid(l)
  if (!alive(pid)) return
  process.kill(pid, 'SIGKILL')
  while (alive(pid)) await sleep(50)
  await reaped(pid)
  fs.rmSync(l.pidFile, { force: true })
}

/** Stop the broker and wipe its data (the jars and PKI stay). */
export async function reset(options: BrokerOptions = {}): Promise<void> {
  const l = layout(options)
  await stop(options)
  fs.rmSync(l.data, { recursive: true, force: true })
}

export interface Status {
  pid?: number
  running: boolean
  listeners: { name: keyof BrokerPorts; port: number; answers: boolean }[]
}

export async function status(options: BrokerOptions = {}): Promise<Status> {
  const l = layout(options)
  const pid = readPid(l)
  const listeners = await Promise.all(
    // The OIDC listener is opened only when the identity provider was ready at the broker's start.
    (Object.keys(l.ports) as (keyof BrokerPorts)[])
      .filter((name) => name !== 'oidc' || l.oidc)
      .map(async (name) => ({
        name,
        port: l.ports[name],
        answers: await portAnswers(l.ports[name])
      }))
  )
  return { pid: alive(pid) ? pid : undefined, running: alive(pid), listeners }
}

/** The running broker's connection facts, as written by the last `start`. */
export function readInfo(options: BrokerOptions = {}): BrokerInfo {
  const l = layout(options)
  if (!fs.existsSync(l.infoFile)) throw new BrokerError(`no broker info at ${l.infoFile}: run npm run broker:start`)
  return JSON.parse(fs.readFileSync(l.infoFile, 'utf8')) as BrokerInfo
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
