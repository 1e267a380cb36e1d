/**
 * The brokers setting: a comma-separated list of `host:port` (IPv6 in brackets) parsed once into
 * addresses, and the one way to write an address back. Everything else reads the parsed form.
 */
import { isIPv6 } from 'node:net'

/** One `host:port` entry of the brokers list. `host` is lower-cased, without brackets. */
export interface BrokerAddress {
  host: string
  port: number
  ipv6: boolean
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i

/** Parses one trimmed broker entry; returns why it is invalid as a string. */
export function parseBroker(entry: string): BrokerAddress | string {
  if (/^[a-z][a-z0-9+_-]*:\/\//i.test(entry)) return 'remove the protocol prefix, only host:port is expected'
  let host: string
  let portText: string
  let ipv6 = false
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry)
  if (bracketed) {
    host = bracketed[1].toLowerCase()
    if (bracketed[2] === undefined) return 'missing port (expected [address]:port)'
    portText = bracketed[2]
    if (!isIPv6(host)) return 'not a valid IPv6 address in brackets'
    ipv6 = true
  } else {
    const colon = entry.lastIndexOf(':')
    if (colon === -1) return 'missing port (expected host:port)'
    host = entry.slice(0, colon)
    portText = entry.slice(colon + 1)
    if (host.includes(':')) return 'IPv6 addresses must be written in brackets, e.g. [::1]:9092'
    if (!host) return 'missing host'
    if (!HOSTNAME.test(host)) return 'not a valid host name or IP address'
    host = host.toLowerCase()
  }
  if (!/^\d{1,5}$/.test(portText)) return 'the port must be a number'
  const port = Number(portText)
  if (port < 1 || port > 65535) return 'the port must be between 1 and 65535'
  return { host, port, ipv6 }
}

/** `host:port`, with the brackets an IPv6 address needs. */
export function formatBroker(b: BrokerAddress): string {
  return b.ipv6 ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`
}

/** `a:1, b:2`: a list as messages name it. */
export function formatBrokers(brokers: readonly BrokerAddress[], separator = ', '): string {
  return brokers.map(formatBroker).join(separator)
}

const REQUIRED = 'brokers is required (host:port, ...)'

/** Splits, trims and de-duplicates the brokers list; every invalid entry is reported in one problem. */
export function parseBrokers(raw: unknown): { brokers: BrokerAddress[]; problems: string[] } {
  if (typeof raw !== 'string' || !raw.trim()) return { brokers: [], problems: [REQUIRED] }
  const brokers: BrokerAddress[] = []
  const seen = new Set<string>()
  const invalid: string[] = []
  for (const entry of raw.split(/[,\s]+/)) {
    if (!entry) continue
    const parsed = parseBroker(entry)
    if (typeof parsed === 'string') invalid.push(`"${entry}" (${parsed})`)
    else if (!seen.has(formatBroker(parsed))) {
      seen.add(formatBroker(parsed))
      brokers.push(parsed)
    }
  }
  if (invalid.length) return { brokers, problems: [`brokers has invalid entries: ${invalid.join(', ')}`] }
  if (!brokers.length) return { brokers, problems: [REQUIRED] }
  return { brokers, problems: [] }
}

/** The addresses of a list known to be valid (e.g. the project's own broker); throws naming the problem. */
export function brokerAddresses(raw: string): BrokerAddress[] {
  const { brokers, problems } = parseBrokers(raw)
  if (problems.length) throw new Error(problems.join('; '))
  return brokers
}
