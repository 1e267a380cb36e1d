/**
 * The project's own schema registry: Apicurio Registry 3 (its Confluent-compatible API at
 * `/apis/ccompat/v7`), run from the ready-built app on Maven Central with in-memory storage. Used by
 * `npm run registry:*` and the Jest global setup, so both run the same registry.
 *
 * Like Confluent Cloud it asks for basic auth: a user that may register schemas, and a read-only one
 * that may read and look them up (Quarkus's embedded users and HTTP permissions, so 401 and 403 are
 * the registry's own answers). It also serves HTTPS with a certificate from a throwaway CA, for the
 * CA setting.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { readPid, sleep, terminate } from '../broker/process'
import { CERT_EXTENSIONS, createCa, issueCertificate } from '../broker/pki'
import { findJava } from './java'
import { APP_JAR, ensureApp, RegistryError } from './toolchain'

export { RegistryError } from './toolchain'

const ROOT = path.resolve(__dirname, '..', '..')
const HOST = '127.0.0.1'
const READY_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 30_000

export interface RegistryPorts {
  /** The API over plain HTTP. */
  http: number
  /** Quarkus's management interface: readiness at /health/ready. Default: http + 1. */
  management: number
  /** The API over HTTPS (certificate for localhost and 127.0.0.1). Default: http + 2. */
  https: number
}

const DEFAULT_HTTP_PORT = 18081
const PORT_ENV: Record<keyof RegistryPorts, string> = {
  http: 'REGISTRY_HTTP_PORT',
  management: 'REGISTRY_MANAGEMENT_PORT',
  https: 'REGISTRY_HTTPS_PORT'
}

/** Test users, like a Confluent Cloud API key and secret; `producer` may register, `reader` only read. */
export const REGISTRY_USERS = {
  producer: { username: 'registry-producer', password: 'registry-producer-secret' },
  reader: { username: 'registry-reader', password: 'registry-reader-secret' }
}

/** What tests and the docs' example read: written to `<dir>/registry.json`. */
export interface RegistryInfo {
  pid: number
  /** Base URL of the Confluent-compatible API over HTTP. */
  url: string
  /** The same API over HTTPS; its certificate is issued by `ca`. */
  httpsUrl: string
  /** PEM file of the CA that issued the HTTPS certificate. */
  ca: string
  ports: RegistryPorts
  users: typeof REGISTRY_USERS
  /** The Java that runs it. */
  java: string
  logFile: string
}

export interface RegistryOptions {
  /** Folder for the pid, logs, PKI and facts. Default `.kafka/` or `$KAFKA_WORK_DIR`, as the broker's. */
  dir?: string
  ports?: Partial<RegistryPorts>
}

interface Layout {
  dir: string
  /** The unpacked app, shared by every registry folder of this checkout: one download. */
  app: string
  home: string
  pki: string
  logFile: string
  pidFile: string
  infoFile: string
  ports: RegistryPorts
}

export function layout(options: RegistryOptions = {}): Layout {
  const dir = path.resolve(options.dir ?? process.env.KAFKA_WORK_DIR ?? path.join(ROOT, '.kafka'))
  const home = path.join(dir, 'registry')
  return {
    dir,
    app: path.join(ROOT, '.kafka', 'registry-app'),
    home,
    pki: path.join(home, 'pki'),
    logFile: path.join(home, 'registry.out'),
    pidFile: path.join(home, 'registry.pid'),
    infoFile: path.join(dir, 'registry.json'),
    ports: registryPorts(options.ports)
  }
}

/** Given ports win; then REGISTRY_*_PORT; a port not given follows the HTTP port. */
function registryPorts(given: Partial<RegistryPorts> = {}): RegistryPorts {
  const env = (key: keyof RegistryPorts): number | undefined => {
    const value = process.env[PORT_ENV[key]]
    return value ? parsePort(PORT_ENV[key], value) : undefined
  }
  const httpPort = given.http ?? env('http') ?? DEFAULT_HTTP_PORT
  return {
    http: httpPort,
    management: given.management ?? env('management') ?? httpPort + 1,
    https: given.https ?? env('https') ?? httpPort + 2
  }
}

function parsePort(name: string, value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RegistryError(`${name}="${value}" is not a TCP port`)
  return port
}

/** A CA and a server certificate for the HTTPS port, made once per registry folder. */
function ensurePki(dir: string): void {
  if (fs.existsSync(path.join(dir, 'server.crt'))) return
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  createCa(dir, 'ca', 'registry-test-ca')
  issueCertificate(dir, 'server', '/CN=localhost', CERT_EXTENSIONS.server('DNS:localhost,IP:127.0.0.1'))
}

/** Quarkus and Apicurio configuration, as system properties (map keys such as user names need them). */
function systemProperties(l: Layout): Record<string, string | number> {
  const users = Object.values(REGISTRY_USERS)
  const { producer, reader } = REGISTRY_USERS
  return {
    'quarkus.http.host': HOST,
    'quarkus.http.port': l.ports.http,
    'quarkus.http.ssl-port': l.ports.https,
    'quarkus.http.ssl.certificate.files': path.join(l.pki, 'server.crt'),
    'quarkus.http.ssl.certificate.key-files': path.join(l.pki, 'server.key'),
    'quarkus.management.host': HOST,
    'quarkus.management.port': l.ports.management,
    // Otherwise it keeps trying to export traces to localhost:4317.
    'quarkus.otel.sdk.disabled': 'true',
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'h2',
    'apicurio.datasource.jdbc.initial-size': 2,
    'apicurio.datasource.jdbc.min-size': 2,
    'apicurio.datasource.jdbc.max-size': 10,
    'apicurio.rest.deletion.artifact.enabled': 'true',
    'apicurio.rest.deletion.artifact-version.enabled': 'true',
    'apicurio.rest.deletion.group.enabled': 'true',
    // Basic auth with embedded users; every API call needs a user, writes need the writer role.
    'quarkus.http.auth.basic': 'true',
    'quarkus.security.users.embedded.plain-text': 'true',
    ...Object.fromEntries(users.map((u) => [`quarkus.security.users.embedded.users.${u.username}`, u.password])),
    [`quarkus.security.users.embedded.roles.${producer.username}`]: 'writer,reader',
    [`quarkus.security.users.embedded.roles.${reader.username}`]: 'reader',
    'quarkus.http.auth.permission.read.paths': '/apis/*',
    'quarkus.http.auth.permission.read.policy': 'authenticated',
    'quarkus.http.auth.policy.writer.roles-allowed': 'writer',
    // Changes need the writer role; a lookup (POST /subjects/<s>) is a read, as in Confluent's RBAC.
    'quarkus.http.auth.permission.change.paths': '/apis/*',
    'quarkus.http.auth.permission.change.methods': 'PUT,DELETE',
    'quarkus.http.auth.permission.change.policy': 'writer',
    // Quarkus denies a method a more specific path does not list: GET needs its own entry there.
    'quarkus.http.auth.permission.versions.paths': '/apis/ccompat/v7/subjects/*/versions',
    'quarkus.http.auth.permission.versions.policy': 'authenticated',
    'quarkus.http.auth.permission.register.paths': '/apis/ccompat/v7/subjects/*/versions',
    'quarkus.http.auth.permission.register.methods': 'POST',
    'quarkus.http.auth.permission.register.policy': 'writer',
    'quarkus.http.auth.permission.native.paths': '/apis/registry/*',
    'quarkus.http.auth.permission.native.methods': 'POST',
    'quarkus.http.auth.permission.native.policy': 'writer'
  }
}

/** Whether `pid` runs this checkout's registry app (a stale pid file may name any process). */
function alive(l: Layout, pid: number | undefined): pid is number {
  if (pid === undefined) return false
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join(l.app, APP_JAR))
  } catch {
    return false
  }
}

/** Whether the management interface reports the registry ready (storage up). */
export function ready(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: HOST, port, path: '/health/ready', timeout: timeoutMs }, (response) => {
      response.resume()
      resolve(response.statusCode === 200)
    })
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolve(false))
  })
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: HOST, port, path: '/', timeout: 1000 }, (response) => {
      response.resume()
      resolve(true)
    })
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolve(false))
  })
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no registry log)'
  }
}

function info(l: Layout, pid: number, java: string): RegistryInfo {
  return {
    pid,
    url: `http://${HOST}:${l.ports.http}/apis/ccompat/v7`,
    httpsUrl: `https://localhost:${l.ports.https}/apis/ccompat/v7`,
    ca: path.join(l.pki, 'ca.crt'),
    ports: l.ports,
    users: REGISTRY_USERS,
    java,
    logFile: l.logFile
  }
}

export interface StartResult {
  info: RegistryInfo
  /** False when a registry was already running and was reused. */
  started: boolean
}

/** Start the registry, or reuse the running one; resolves once it reports ready. */
export async function start(options: RegistryOptions = {}): Promise<StartResult> {
  const l = layout(options)
  const running = readPid(l)
  if (alive(l, running) && (await ready(l.ports.management))) {
    const previous = readInfoFile(l)
    const i = info(l, running, previous?.java ?? 'java')
    fs.writeFileSync(l.infoFile, JSON.stringify(i, null, 2))
    return { info: i, started: false }
  }
  for (const key of ['http', 'management', 'https'] as const) {
    if (await answers(l.ports[key]))
      throw new RegistryError(
        `port ${l.ports[key]} is taken by a process this harness did not start: stop it or set ${PORT_ENV[key]}`
      )
  }
  const { java } = findJava()
  ensureApp(l.app)
  fs.mkdirSync(l.home, { recursive: true })
  ensurePki(l.pki)
  const props = Object.entries(systemProperties(l)).map(([k, v]) => `-D${k}=${v}`)
  const out = fs.openSync(l.logFile, 'w')
  const child = spawn(
    java,
    [
      '-Xmx384m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-XX:+ExitOnOutOfMemoryError',
      ...props,
      '-jar',
      path.join(l.app, APP_JAR)
    ],
    { cwd: l.home, detached: true, stdio: ['ignore', out, out] }
  )
  fs.closeSync(out)
  child.unref()
  const pid = child.pid as number
  fs.writeFileSync(l.pidFile, String(pid))
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (await ready(l.ports.management)) {
      const i = info(l, pid, java)
      fs.writeFileSync(l.infoFile, JSON.stringify(i, null, 2))
      return { info: i, started: true }
    }
    if (!alive(l, pid))
      throw new RegistryError(`the registry exited during start-up; its last log lines:\n${tail(l.logFile)}`)
    await sleep(250)
  }
  await stop(options)
  throw new RegistryError(
    `the registry was not ready within ${READY_TIMEOUT_MS / 1000} s; its last log lines:\n${tail(l.logFile)}`
  )
}

/** Stop the registry (SIGTERM, then SIGKILL after 30 s); resolves once the process is gone. */
export async function stop(options: RegistryOptions = {}): Promise<boolean> {
  const l = layout(options)
  const pid = readPid(l)
  if (!alive(l, pid)) {
    fs.rmSync(l.pidFile, { force: true })
    return false
  }
  await terminate(pid, () => alive(l, pid), STOP_TIMEOUT_MS)
  fs.rmSync(l.pidFile, { force: true })
  return true
}

export interface Status {
  pid?: number
  running: boolean
  ready: boolean
  url: string
}

export async function status(options: RegistryOptions = {}): Promise<Status> {
  const l = layout(options)
  const pid = readPid(l)
  const running = alive(l, pid)
  return {
    pid: running ? pid : undefined,
    running,
    ready: running && (await ready(l.ports.management)),
    url: info(l, pid ?? 0, '').url
  }
}

function readInfoFile(l: Layout): RegistryInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(l.infoFile, 'utf8')) as RegistryInfo
  } catch {
    return undefined
  }
}

/** The running registry's facts, as written by the last `start`. */
export function readInfo(options: RegistryOptions = {}): RegistryInfo {
  const l = layout(options)
  const i = readInfoFile(l)
  if (!i) throw new RegistryError(`no registry info at ${l.infoFile}: run npm run registry:start`)
  return i
}
