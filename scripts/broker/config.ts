/**
 * The single broker's configuration: its ports (defaults, KAFKA_*_PORT), users and test credentials,
 * the layout of its folder, its `server.properties` and the facts written to `broker.json`. Pure:
 * nothing here starts, signals or waits for a process (that is ./lifecycle.ts).
 */
import * as path from 'node:path'
import { addOidcListener, oidcFacts, oidcListenerOf, type OidcFacts, type OidcListener, type OidcMode } from './oidc'
import { PKI_FILES, type PkiFile } from './pki'
import { BrokerError, VALIDATOR_CLASS } from './toolchain'

export const ROOT = path.resolve(__dirname, '..', '..')

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
export const PORT_ENV: Record<keyof BrokerPorts, string> = {
  plaintext: 'KAFKA_PLAINTEXT_PORT',
  sasl: 'KAFKA_SASL_PORT',
  ssl: 'KAFKA_SSL_PORT',
  saslSsl: 'KAFKA_SASL_SSL_PORT',
  controller: 'KAFKA_CONTROLLER_PORT',
  iam: 'KAFKA_IAM_PORT',
  oidc: 'KAFKA_OIDC_PORT'
}
export const HOST = '127.0.0.1'

export interface Layout {
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

/** The broker's `server.properties` entries (overrides applied). */
export function serverPropertyMap(l: Layout): Record<string, string | number> {
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
  return Object.assign(props, l.overrides)
}

export function serverProperties(l: Layout): string {
  return formatProperties(serverPropertyMap(l))
}

export function formatProperties(props: Record<string, string | number>): string {
  return Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
    .concat('\n')
}

/** The facts written to `broker.json` for the broker of layout `l`, running as `pid`. */
export function info(l: Layout, pid: number): BrokerInfo {
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
