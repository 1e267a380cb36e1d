/**
 * The `server` section of the config file: who may call the server (write keys, admin token), whether
 * request bodies may carry settings, TLS, the in-flight bound, the drain time, the dead-letter topic, and
 * what browsers need (allowed origins, the public URL, proxies trusted for the client address, rate limits).
 * Its JSON schema is part of the config file's ajv schema (config-file.ts), so a failure names the field;
 * `checkExposure` holds the start-up rule for addresses beyond loopback.
 */
import * as fs from 'node:fs'
import * as net from 'node:net'
import { LIMITS_SCHEMA_PROPERTIES, limitsProblems, type ServerLimits } from './server-limits'

export interface WriteKey {
  /** Goes into logs and metrics; the key never does. */
  name: string
  key: string
}

/** With the timeouts, connection cap and event limits of server-limits.ts. */
export interface ServerConfig extends ServerLimits {
  writeKeys?: WriteKey[]
  /** Sent as `Authorization: Bearer <token>` to the routes that take settings or reveal the cluster. */
  adminToken?: string
  /** When set, `GET /metrics` needs it (or the admin token) as `Authorization: Bearer <token>`. */
  metricsToken?: string
  /** Settings in request bodies (`/authenticate`, `/send`, `/send/topic`); default: only when unsecured. */
  allowRequestSettings?: boolean
  tls?: { certFile: string; keyFile: string }
  /** Events being processed at once, over every request; beyond it requests get 429 + Retry-After. */
  maxInFlightEvents?: number
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  drainTimeoutMs?: number
  /** Where events that fail permanently go, with headers naming the error; off unless set. */
  deadLetter?: { topic: string }
  /**
   * Web pages (origins such as `https://shop.example.com`, or `*` for any) whose scripts may call the
   * tracking routes and the settings route; none by default.
   */
  allowedOrigins?: string[]
  /** How clients reach the gateway (`https://events.example.com`, a path allowed); the settings route's apiHost. */
  publicUrl?: string
  /** Reverse proxies in front of the gateway whose X-Forwarded-* headers are believed; 0 (none) by default. */
  trustProxy?: number
  /** Request rates per client address and per write key (rate-limit.ts has the defaults). */
  rateLimits?: RateLimitsConfig
}

/** A token bucket: `perSecond` requests on average, up to `burst` at once; `false` turns it off. */
export type RateLimitConfig = { perSecond: number; burst: number } | false

export interface RateLimitsConfig {
  perClient?: RateLimitConfig
  perWriteKey?: RateLimitConfig
  /** Client addresses remembered at once (least recently seen forgotten first). */
  maxClients?: number
}

export const DEFAULT_MAX_IN_FLIGHT_EVENTS = 20000
export const DEFAULT_DRAIN_TIMEOUT_MS = 20000

/** Names go into metric labels and log fields: short and plain. */
const NAME_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$'

const RATE_LIMIT_SCHEMA = {
  oneOf: [
    { const: false },
    {
      type: 'object',
      additionalProperties: false,
      required: ['perSecond', 'burst'],
      properties: {
        perSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1000000 },
        burst: { type: 'integer', minimum: 1, maximum: 10000000 }
      }
    }
  ]
} as const

export const SERVER_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    writeKeys: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'key'],
        properties: {
          name: { type: 'string', pattern: NAME_PATTERN },
          key: { type: 'string', minLength: 8, maxLength: 512 }
        }
      }
    },
    adminToken: { type: 'string', minLength: 16, maxLength: 512 },
    metricsToken: { type: 'string', minLength: 16, maxLength: 512 },
    allowRequestSettings: { type: 'boolean' },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['certFile', 'keyFile'],
      properties: { certFile: { type: 'string', minLength: 1 }, keyFile: { type: 'string', minLength: 1 } }
    },
    maxInFlightEvents: { type: 'integer', minimum: 1, maximum: 1000000 },
    drainTimeoutMs: { type: 'integer', minimum: 0, maximum: 600000 },
    deadLetter: {
      type: 'object',
      additionalProperties: false,
      required: ['topic'],
      properties: { topic: { type: 'string', minLength: 1, maxLength: 249, pattern: '^[A-Za-z0-9._-]+$' } }
    },
    allowedOrigins: {
      type: 'array',
      uniqueItems: true,
      items: {
        type: 'string',
        // `*`, or an origin exactly as a browser sends it: scheme, host, optional port; no path.
        pattern: '^(\\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?)$'
      }
    },
    publicUrl: { type: 'string', maxLength: 2000, pattern: '^https?://[^/?#\\s]+(/[^?#\\s]*)?$' },
    trustProxy: { type: 'integer', minimum: 0, maximum: 10 },
    rateLimits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        perClient: RATE_LIMIT_SCHEMA,
        perWriteKey: RATE_LIMIT_SCHEMA,
        maxClients: { type: 'integer', minimum: 1, maximum: 10000000 }
      }
    },
    ...LIMITS_SCHEMA_PROPERTIES
  }
} as const

/** Checks the schema cannot express: write-key names and keys are unique. Returns the problems. */
export function serverConfigProblems(server: ServerConfig | undefined): string[] {
  const problems: string[] = []
  const names = new Set<string>()
  const keys = new Set<string>()
  for (const [i, w] of (server?.writeKeys ?? []).entries()) {
    if (names.has(w.name)) problems.push(`server.writeKeys.${i}.name: '${w.name}' is used twice`)
    // The key itself is never quoted.
    if (keys.has(w.key)) problems.push(`server.writeKeys.${i}.key: the same key as an earlier write key`)
    names.add(w.name)
    keys.add(w.key)
  }
  if (server?.adminToken && keys.has(server.adminToken))
    problems.push('server.adminToken: must differ from every write key')
  if (server?.metricsToken && keys.has(server.metricsToken))
    problems.push('server.metricsToken: must differ from every write key')
  problems.push(...limitsProblems(server))
  return problems
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost') return true
  if (net.isIPv4(h)) return h.startsWith('127.')
  return h === '::1' || h.startsWith('::ffff:127.')
}

/** True when neither write keys nor an admin token are configured: the server is as open as a dev tool. */
export function isOpen(server: ServerConfig | undefined): boolean {
  return !server?.writeKeys?.length && !server?.adminToken
}

/**
 * Bound to loopback anything goes; beyond loopback the server must have write keys and an admin token,
 * or it refuses to start, naming the options.
 */
export function checkExposure(host: string, server: ServerConfig | undefined): void {
  if (isLoopback(host)) return
  const missing = [
    server?.writeKeys?.length ? undefined : 'server.writeKeys',
    server?.adminToken ? undefined : 'server.adminToken'
  ].filter(Boolean)
  if (missing.length) {
    throw new Error(
      `refusing to listen on ${host} (beyond loopback) without ${missing.join(' and ')} in the config file: ` +
        'anyone who can reach the server could send events and post settings that make it connect anywhere'
    )
  }
}

/** Whether request bodies may carry settings: as configured, else only on an open server. */
export function requestSettingsAllowed(server: ServerConfig | undefined): boolean {
  return server?.allowRequestSettings ?? isOpen(server)
}

/** The TLS files, read at start (a missing file fails the start, naming the option). */
export function readTls(server: ServerConfig | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!server?.tls) return undefined
  const read = (option: string, file: string): Buffer => {
    try {
      return fs.readFileSync(file)
    } catch (error) {
      throw new Error(`server.tls.${option}: cannot read ${file}: ${(error as Error).message}`)
    }
  }
  return { cert: read('certFile', server.tls.certFile), key: read('keyFile', server.tls.keyFile) }
}
