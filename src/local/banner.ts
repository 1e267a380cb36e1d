/**
 * The start-up banner: where the server listens, what it started or reuses, which config and who may call
 * it, then a curl and a kcat command built from the config in use, that work when pasted into a shell on
 * this machine. Secrets are never printed: a command that needs one (a write key, a SASL password, the
 * brokers' CA) reads it from the config file with `node -p` when it runs.
 */
import * as path from 'node:path'
import { formatBroker, parseBrokers } from '../brokers'
import { DEFAULT_TOPIC, type ConfigFile } from './config-file'
import { describeLimits } from './rate-limit'
import { isOpen, requestSettingsAllowed } from './server-config'

export interface BannerInput {
  url: string
  routes: string[]
  config: ConfigFile
  /** Where the brokers come from (and whether the project's broker was started or reused). */
  brokersNote: string
  configFile?: string
  /** True when the project's own broker is in use (`npm start` without a config file or brokers). */
  projectBroker?: boolean
}

/** Who may do what, in a sentence (names only, never a key or the token). */
export function accessNote(config: ConfigFile): string {
  const s = config.server
  if (isOpen(s)) return 'open: no write keys and no admin token (allowed on loopback only)'
  const keys = s?.writeKeys?.length ? `write keys ${s.writeKeys.map((w) => w.name).join(', ')}` : 'no write keys'
  const admin = s?.adminToken ? 'admin token set' : 'no admin token'
  const settings = requestSettingsAllowed(s) ? 'settings in requests allowed' : 'settings in requests refused'
  return `${keys}; ${admin}; ${settings}`
}

/** Which pages may send (analytics.js with cdnURL = the gateway) and the rate limits in force. */
export function browserNote(config: ConfigFile): string {
  const s = config.server
  const origins = s?.allowedOrigins?.length
    ? `pages of ${s.allowedOrigins.join(', ')}`
    : 'no page (server.allowedOrigins)'
  return `${origins}; rate limits ${describeLimits(s)}`
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`

/** A command that prints one value of the config file: `node -p "require(...).settings.password"`. */
function nodePrint(configFile: string, expression: string): string {
  const file = JSON.stringify(path.resolve(configFile)).replace(/"/g, '\\"')
  return `node -p "require(${file})${expression}"`
}

/** That value as one shell word, read when the command runs (`suffix` is appended inside the quotes). */
const fromConfig = (configFile: string, expression: string, suffix = ''): string =>
  `"$(${nodePrint(configFile, expression)})${suffix}"`

/** The literal topics the subscriptions write to (a mapped topic is decided per event). */
function topicsOf(config: ConfigFile): string[] {
  const topics = config.subscriptions.map((s) => s.mapping.topic).filter((t): t is string => typeof t === 'string')
  return [...new Set(topics)]
}

function curlLine(input: BannerInput, body: string): string {
  const { config, configFile, url } = input
  const parts = ['curl -s']
  const tls = config.server?.tls
  if (tls) parts.push(`--cacert ${quote(path.resolve(tls.certFile))}`)
  if (!isOpen(config.server) && config.server?.writeKeys?.length && configFile)
    parts.push(`-u ${fromConfig(configFile, '.server.writeKeys[0].key', ':')}`)
  parts.push(`${url}/events -H 'content-type: application/json' -d ${quote(body)}`)
  return parts.join(' ')
}

/** kcat's options for the settings' listener, or why kcat cannot sign in there. */
function kcatOptions(input: BannerInput): { options: string[]; note?: string } {
  const s = input.config.settings
  const mechanism = String(s.mechanism ?? 'plain')
  const ssl = s.ssl_enabled !== false && s.ssl_enabled !== 'false'
  const options: string[] = []
  const file = input.configFile
  if (mechanism === 'aws' || mechanism === 'oauthbearer')
    return { options, note: `kcat cannot sign in with ${mechanism}: read the topic with a consumer of your own` }
  const sasl = mechanism === 'plain' || mechanism.startsWith('scram-')
  options.push(`-X security.protocol=${sasl ? (ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT') : ssl ? 'SSL' : 'PLAINTEXT'}`)
  if (ssl && s.ssl_ca && file) options.push(`-X ssl.ca.location=<(${nodePrint(file, '.settings.ssl_ca')})`)
  if (ssl && s.ssl_reject_unauthorized_ca === false) options.push('-X enable.ssl.certificate.verification=false')
  if (sasl) {
    options.push(`-X sasl.mechanisms=${mechanism.toUpperCase()}`, `-X sasl.username=${quote(String(s.username ?? ''))}`)
    if (file) options.push(`-X sasl.password=${fromConfig(file, '.settings.password')}`)
  }
  if (mechanism === 'client-cert-auth')
    return { options, note: 'mutual TLS: add -X ssl.certificate.location=<cert file> -X ssl.key.location=<key file>' }
  if (mechanism.startsWith('scram-'))
    return { options, note: "Debian 12's kcat (librdkafka 2.0) fails SCRAM logins against Kafka 4: a newer kcat works" }
  return { options: mechanism === 'none' && !ssl ? [] : options }
}

export function banner(input: BannerInput): string {
  const { config, url } = input
  const brokers = String(config.settings.brokers)
  const first = parseBrokers(brokers).brokers[0]
  const topics = topicsOf(config)
  const example = JSON.stringify({
    type: 'track',
    event: 'Order Completed',
    userId: 'user-42',
    properties: { orderId: 'o-1001', total: 39.9 }
  })
  const { options, note } = kcatOptions(input)
  const kcat = (topic: string): string =>
    [
      'kcat -C',
      `-b ${first ? formatBroker(first) : brokers}`,
      ...options,
      `-t ${topic} -o beginning -e -f '%k %s\\n'`
    ].join(' ')
  const lines = [
    `Kafka destination server listening on ${url}`,
    `  broker:  ${input.brokersNote}`,
    `  config:  ${input.configFile ? path.resolve(input.configFile) : `embedded default (track/identify/page/screen/group -> topic ${DEFAULT_TOPIC}, keyed by userId)`}`,
    `  access:  ${accessNote(config)}`,
    `  dead letters: ${config.server?.deadLetter?.topic ?? 'off'}`,
    `  browsers: ${browserNote(config)}`,
    `  routes:  ${input.routes.join(', ')}`,
    '',
    'Send an event through the subscriptions of the config (the answer says where it went, or "not subscribed"):',
    `  ${curlLine(input, example)}`
  ]
  if (topics.length) {
    lines.push(`Read ${topics.length === 1 ? 'the topic' : 'the topics'} of the config back:`)
    for (const topic of topics.slice(0, 3)) lines.push(`  ${kcat(topic)}`)
    if (note) lines.push(`  (${note})`)
  } else lines.push('The config maps each event to its topic: read it back with kcat -t <topic>.')
  lines.push(
    '',
    input.projectBroker
      ? "Ctrl+C stops the server; the project's broker keeps running (npm run broker:stop stops it)."
      : 'Ctrl+C stops the server.',
    ''
  )
  return lines.join('\n')
}
