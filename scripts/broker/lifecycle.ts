/**
 * The single broker's process lifecycle: start (or reuse), stop, kill, reset and status, with its pid
 * file, storage formatting and readiness wait. Its configuration is ./config.ts.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  info,
  layout,
  PORT_ENV,
  serverProperties,
  USERS,
  type BrokerInfo,
  type BrokerOptions,
  type BrokerPorts,
  type Layout
} from './config'
import { oidcJvmFlags, prepareOidcListener, type OidcListener } from './oidc'
import { ensurePki } from './pki'
import { portAnswers, readPid, reaped, sleep, terminate as terminateProcess } from './process'
import { BrokerError, checkPrerequisites, ensureJars, ensureValidator } from './toolchain'

export { portAnswers, readPid, sleep } from './process'

const HARNESS = __dirname
const READY_TIMEOUT_MS = 90_000
const STOP_TIMEOUT_MS = 30_000

/** The files of one Kafka JVM (the single broker, or one node of the cluster). */
export type JvmFiles = Pick<Layout, 'libs' | 'classes' | 'data' | 'logs' | 'pidFile' | 'properties'> & {
  oidc?: OidcListener
}

export function javaArgs(l: JvmFiles): string[] {
  return [
    `-Dlog4j2.configurationFile=${path.join(HARNESS, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${l.logs}`,
    ...oidcJvmFlags(l.oidc),
    '-cp',
    [path.join(l.libs, '*'), l.classes].join(path.delimiter)
  ]
}

/** A new KRaft cluster id (every node of one cluster is formatted with the same one). */
export function randomClusterId(l: JvmFiles): string {
  return execFileSync('java', [...javaArgs(l), 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop() as string
}

export function formatStorage(l: JvmFiles, clusterId = ''): void {
  if (fs.existsSync(path.join(l.data, 'meta.properties'))) return // formatted once, reused as it is
  clusterId ||= randomClusterId(l)
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

/**
 * Whether `pid` is a running Kafka broker. The command line is checked, not just the pid: a stale pid
 * file (after a reboot) may name an unrelated process, which must never be signalled.
 */
export function alive(pid: number | undefined): pid is number {
  if (pid === undefined) return false
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')
  } catch {
    return false
  }
}

export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no broker log)'
  }
}

/**
 * Spawns the Kafka JVM of `l` detached (it outlives this process), its output to `logs/kafka.out`,
 * and writes its pid file. `heap` is the JVM's -Xms/-Xmx.
 */
export function launch(l: JvmFiles, heap: string[] = ['-Xms256m', '-Xmx512m'], jvm: string[] = []): number {
  const out = fs.openSync(path.join(l.logs, 'kafka.out'), 'w')
  const child = spawn(
    'java',
    [
      ...heap,
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...jvm,
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
  return pid
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
  const pid = launch(l)
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
  await terminate(pid)
  fs.rmSync(l.pidFile, { force: true })
  return true
}

/** SIGTERM (a clean shutdown), then SIGKILL after 30 s; resolves once the process is gone and reaped. */
export function terminate(pid: number): Promise<void> {
  return terminateProcess(pid, () => alive(pid), STOP_TIMEOUT_MS)
}

/** SIGKILL (a crash); resolves once the process is gone and reaped. */
export async function crash(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL')
  while (alive(pid)) await sleep(50)
  await reaped(pid)
}

/** Kill the broker with SIGKILL (a crash), leaving its data as a crash would. */
export async function kill(options: BrokerOptions = {}): Promise<void> {
  const l = layout(options)
  const pid = readPid(l)
  if (!alive(pid)) return
  await crash(pid)
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
