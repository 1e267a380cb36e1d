/**
 * The project's OIDC identity provider for the OAUTHBEARER tests: Keycloak's ready-built distribution
 * from Maven Central, started in dev mode (embedded H2 database, loopback only) with the realm of
 * ./realm.json imported. Used by `npm run idp:*` and the Jest global setup, which starts it before the
 * broker: the broker's OIDC listener fetches the provider's signing keys at start and exits without them.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { exists, portAnswers, readPid, sleep, terminate } from '../broker/process'
import { findJava } from './java'

export class IdpError extends Error {}

export const ROOT = path.resolve(__dirname, '..', '..')
const HARNESS = __dirname
export const KEYCLOAK_VERSION = '26.7.3'
const MIN_JAVA = 21
const HOST = '127.0.0.1'
const REALM_FILE = path.join(HARNESS, 'realm.json')
// A first start builds Keycloak's optimised image (kept in its folder); on 2 busy cores it took 3 min.
const READY_TIMEOUT_MS = 300_000
const STOP_TIMEOUT_MS = 30_000

export interface IdpPorts {
  http: number
  management: number
}
const DEFAULT_PORTS: IdpPorts = { http: 18180, management: 18190 }
const PORT_ENV: Record<keyof IdpPorts, string> = { http: 'IDP_HTTP_PORT', management: 'IDP_MANAGEMENT_PORT' }

export interface IdpOptions {
  /** Folder for the pid, log and facts files. Default `.kafka/idp/` or `$IDP_WORK_DIR`. */
  dir?: string
  ports?: Partial<IdpPorts>
}

export interface IdpClient {
  clientId: string
  clientSecret: string
  /** Whether its tokens open the broker's OIDC listener. */
  access: boolean
  /** What the client is for (from the realm file). */
  description: string
}

/** What tests and the broker read: written to `<dir>/idp.json`. */
export interface IdpInfo {
  pid: number
  version: string
  realm: string
  issuer: string
  tokenEndpoint: string
  jwksUri: string
  /** The audience the tokens of the clients with access carry. */
  audience: string
  /** An optional scope the clients with access may ask for. */
  scope: string
  accessTokenLifespanSeconds: number
  /** The client with access first. */
  clients: IdpClient[]
  ports: IdpPorts
  logFile: string
}

interface Layout {
  dir: string
  /** The unpacked distribution, shared by every IdP folder of this checkout (one download). */
  dist: string
  pidFile: string
  infoFile: string
  logFile: string
  ports: IdpPorts
}

export function layout(options: IdpOptions = {}): Layout {
  const dir = path.resolve(options.dir ?? process.env.IDP_WORK_DIR ?? path.join(ROOT, '.kafka', 'idp'))
  const ports = { ...DEFAULT_PORTS }
  for (const key of Object.keys(ports) as (keyof IdpPorts)[]) {
    const given = options.ports?.[key] ?? process.env[PORT_ENV[key]]
    if (given !== undefined) ports[key] = parsePort(PORT_ENV[key], String(given))
  }
  return {
    dir,
    dist: path.join(ROOT, '.kafka', `keycloak-${KEYCLOAK_VERSION}`),
    pidFile: path.join(dir, 'idp.pid'),
    infoFile: path.join(dir, 'idp.json'),
    logFile: path.join(dir, 'keycloak.out'),
    ports
  }
}

function parsePort(name: string, value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new IdpError(`${name}="${value}" is not a TCP port`)
  return port
}

interface RealmFile {
  realm: string
  accessTokenLifespan: number
  clients: {
    clientId: string
    secret: string
    description: string
    serviceAccountsEnabled: boolean
    optionalClientScopes?: string[]
    protocolMappers?: { protocolMapper: string; config: Record<string, string> }[]
  }[]
}

const readRealm = (): RealmFile => JSON.parse(fs.readFileSync(REALM_FILE, 'utf8')) as RealmFile
const audienceOf = (c: RealmFile['clients'][number]): string | undefined =>
  c.protocolMappers?.find((m) => m.protocolMapper === 'oidc-audience-mapper')?.config['included.custom.audience']

/** The audience the broker expects: that of the first client (the one with access). */
export const BROKER_AUDIENCE = 'kafka-broker'

export function info(l: Layout, pid: number): IdpInfo {
  const realm = readRealm()
  const base = `http://${HOST}:${l.ports.http}/realms/${realm.realm}`
  const clients = realm.clients.map((c) => ({
    clientId: c.clientId,
    clientSecret: c.secret,
    access: c.serviceAccountsEnabled && audienceOf(c) === BROKER_AUDIENCE,
    description: c.description
  }))
  clients.sort((a, b) => Number(b.access) - Number(a.access))
  return {
    pid,
    version: KEYCLOAK_VERSION,
    realm: realm.realm,
    issuer: base,
    tokenEndpoint: `${base}/protocol/openid-connect/token`,
    jwksUri: `${base}/protocol/openid-connect/certs`,
    audience: BROKER_AUDIENCE,
    scope: realm.clients[0].optionalClientScopes?.[0] ?? '',
    accessTokenLifespanSeconds: realm.accessTokenLifespan,
    clients,
    ports: l.ports,
    logFile: l.logFile
  }
}

/** Fetches and unpacks the distribution once (Maven Central, via mvn). */
function ensureDistribution(l: Layout): void {
  if (fs.existsSync(path.join(l.dist, '.complete'))) return
  if (spawnSync('mvn', ['-v']).error)
    throw new IdpError('Maven is required to fetch Keycloak from Maven Central: install it (apt-get install -y maven).')
  const parent = path.dirname(l.dist)
  const unpacking = `${l.dist}.${process.pid}`
  fs.rmSync(unpacking, { recursive: true, force: true })
  process.stderr.write(`[idp] fetching Keycloak ${KEYCLOAK_VERSION} from Maven Central into ${l.dist} ...\n`)
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(HARNESS, 'pom.xml'),
      'dependency:unpack',
      `-Dkeycloak.version=${KEYCLOAK_VERSION}`,
      `-DoutputDirectory=${unpacking}`,
      // The plugin skips an artifact it has unpacked before (a marker under target/), wherever to.
      '-Dmdep.overWriteReleases=true'
    ],
    { encoding: 'utf8' }
  )
  if (result.status !== 0)
    throw new IdpError(
      `mvn could not fetch Keycloak:\n${(result.stdout + result.stderr).trim().split('\n').slice(-20).join('\n')}`
    )
  fs.mkdirSync(parent, { recursive: true })
  fs.rmSync(l.dist, { recursive: true, force: true })
  fs.renameSync(path.join(unpacking, `keycloak-${KEYCLOAK_VERSION}`), l.dist)
  fs.rmSync(unpacking, { recursive: true, force: true })
  fs.writeFileSync(path.join(l.dist, '.complete'), new Date().toISOString())
}

/**
 * Puts the realm file where `--import-realm` reads it. Keycloak imports a realm only when it does not
 * exist yet, so when the realm file changed the dev database is wiped and the realm imported anew;
 * otherwise the database (and with it the realm's signing keys) survives restarts.
 */
function prepareRealm(l: Layout): void {
  const data = path.join(l.dist, 'data')
  const content = fs.readFileSync(REALM_FILE)
  // Of the parsed content: reformatting the file does not wipe the database.
  const hash = createHash('sha256')
    .update(JSON.stringify(JSON.parse(content.toString('utf8'))))
    .digest('hex')
  const stamp = path.join(data, 'realm.sha256')
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== hash) {
    fs.rmSync(path.join(data, 'h2'), { recursive: true, force: true })
    fs.mkdirSync(path.join(data, 'import'), { recursive: true })
    fs.writeFileSync(path.join(data, 'import', 'realm.json'), content)
    fs.writeFileSync(stamp, hash)
  }
}

/** Whether `pid` is this checkout's Keycloak (its command line is checked: a stale pid file may name another process). */
function alive(l: Layout, pid: number | undefined): pid is number {
  if (pid === undefined) return false
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes(l.dist) && (cmdline.includes('kc.sh') || cmdline.includes('QuarkusEntryPoint'))
  } catch {
    return false
  }
}

/** Whether the provider is ready and serves the realm's signing keys (what the broker needs). */
export async function ready(i: Pick<IdpInfo, 'jwksUri' | 'ports'>): Promise<boolean> {
  try {
    const health = await fetch(`http://${HOST}:${i.ports.management}/health/ready`, {
      signal: AbortSignal.timeout(2000)
    })
    if (!health.ok) return false
    const jwks = await fetch(i.jwksUri, { signal: AbortSignal.timeout(2000) })
    return jwks.ok && Array.isArray(((await jwks.json()) as { keys?: unknown }).keys)
  } catch {
    return false
  }
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no Keycloak log)'
  }
}

export interface StartResult {
  info: IdpInfo
  /** False when a provider was already running and was reused. */
  started: boolean
}

/** Start Keycloak, or reuse the one already running; resolves once it serves the realm's keys. */
export async function start(options: IdpOptions = {}): Promise<StartResult> {
  const l = layout(options)
  const running = readPid(l)
  if (alive(l, running)) return { info: await awaitRunning(l, running), started: false }
  for (const key of Object.keys(l.ports) as (keyof IdpPorts)[])
    if (await portAnswers(l.ports[key]))
      throw new IdpError(
        `port ${l.ports[key]} is taken by a process this harness did not start: stop it or set ${PORT_ENV[key]}`
      )
  const java = findJava(MIN_JAVA)
  if (!java)
    throw new IdpError(
      `Keycloak ${KEYCLOAK_VERSION} needs Java ${MIN_JAVA} or newer and none was found (IDP_JAVA_HOME, JAVA_HOME, PATH, /usr/lib/jvm): install a JDK 21 or newer (Eclipse Temurin 21+, or openjdk-21-jdk-headless where the distribution has it) and point IDP_JAVA_HOME at it.`
    )
  fs.mkdirSync(l.dir, { recursive: true })
  ensureDistribution(l)
  prepareRealm(l)
  const out = fs.openSync(l.logFile, 'w')
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Quicker to start (C1 only) on a busy machine; ample for a test realm.
    JAVA_OPTS_APPEND: '-XX:TieredStopAtLevel=1',
    KC_HTTP_HOST: HOST,
    KC_HTTP_PORT: String(l.ports.http),
    KC_HTTP_MANAGEMENT_PORT: String(l.ports.management),
    KC_HEALTH_ENABLED: 'true'
  }
  if (java.home) env.JAVA_HOME = java.home
  else delete env.JAVA_HOME
  const child = spawn(path.join(l.dist, 'bin', 'kc.sh'), ['start-dev', '--import-realm'], {
    detached: true,
    stdio: ['ignore', out, out],
    env,
    cwd: l.dist
  })
  fs.closeSync(out)
  child.unref()
  const pid = child.pid as number
  fs.writeFileSync(l.pidFile, String(pid))
  const i = writeInfo(l, pid)
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (await ready(i)) return { info: writeInfo(l, pid), started: true }
    if (!exists(-pid)) throw new IdpError(`Keycloak exited during start-up; its last log lines:\n${tail(l.logFile)}`)
    await sleep(500)
  }
  await stop(options)
  throw new IdpError(
    `Keycloak did not serve the realm within ${READY_TIMEOUT_MS / 1000} s; its last log lines:\n${tail(l.logFile)}`
  )
}

/**
 * The checkout's Keycloak is already running (its database allows one): reused when it is on the
 * requested ports, once ready (it may still be starting); an error naming its ports otherwise.
 */
async function awaitRunning(l: Layout, pid: number): Promise<IdpInfo> {
  const known = readInfo({ dir: l.dir })
  if (!known || known.pid !== pid || known.ports.http !== l.ports.http || known.ports.management !== l.ports.management)
    throw new IdpError(
      `this checkout's Keycloak (pid ${pid}) already runs${known ? ` on ports ${known.ports.http}/${known.ports.management}` : ''}, not on ${l.ports.http}/${l.ports.management}: its database allows one at a time. Stop it (npm run idp:stop with the same IDP_HTTP_PORT) or use its ports.`
    )
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!(await ready(known))) {
    if (!alive(l, pid))
      throw new IdpError(`Keycloak (pid ${pid}) exited while starting; its last log lines:\n${tail(l.logFile)}`)
    if (Date.now() > deadline)
      throw new IdpError(`Keycloak (pid ${pid}) did not become ready within ${READY_TIMEOUT_MS / 1000} s`)
    await sleep(500)
  }
  return known
}

function writeInfo(l: Layout, pid: number): IdpInfo {
  const i = info(l, pid)
  fs.writeFileSync(l.infoFile, JSON.stringify(i, null, 2))
  return i
}

/**
 * Stop Keycloak: SIGTERM to its process group (kc.sh and its Java child), SIGKILL after 30 s;
 * resolves once every process of the group is gone.
 */
export async function stop(options: IdpOptions = {}): Promise<boolean> {
  const l = layout(options)
  const pid = readPid(l)
  if (!alive(l, pid)) {
    fs.rmSync(l.pidFile, { force: true })
    return false
  }
  // kc.sh and its Java child: the whole process group.
  await terminate(-pid, () => exists(-pid), STOP_TIMEOUT_MS)
  fs.rmSync(l.pidFile, { force: true })
  return true
}

export interface Status {
  pid?: number
  running: boolean
  ready: boolean
  ports: IdpPorts
}

export async function status(options: IdpOptions = {}): Promise<Status> {
  const l = layout(options)
  const pid = readPid(l)
  const running = alive(l, pid)
  return {
    pid: running ? pid : undefined,
    running,
    ready: running && (await ready(info(l, pid as number))),
    ports: l.ports
  }
}

/** The running provider's facts, as written by the last `start`; undefined when there are none. */
export function readInfo(options: IdpOptions = {}): IdpInfo | undefined {
  const l = layout(options)
  if (!fs.existsSync(l.infoFile)) return undefined
  return JSON.parse(fs.readFileSync(l.infoFile, 'utf8')) as IdpInfo
}
