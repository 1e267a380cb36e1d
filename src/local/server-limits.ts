/**
 * The gateway's own limits, part of the config file's `server` section: HTTP timeouts and a connection
 * cap (applied to Node's server, whose defaults are 60 s for headers, 300 s for a request and no cap),
 * the nesting depth and size of one event, and how far in the future an event's timestamp may be. The
 * JSON schema properties here are spread into SERVER_CONFIG_SCHEMA (server-config.ts). docs/gateway-limits.md
 * documents each.
 */
import type * as http from 'node:http'

export interface ServerLimits {
  /** Time for a client to send the request's headers; beyond it 408 and the connection is closed. */
  headersTimeoutMs?: number
  /** Time for a client to send the whole request (headers and body); beyond it 408. */
  requestTimeoutMs?: number
  /** How long an idle keep-alive connection stays open after an answer. */
  keepAliveTimeoutMs?: number
  /** Open connections at once; beyond it new connections are closed as soon as they are accepted. */
  maxConnections?: number
  /** The deepest nesting of objects and arrays in one event (the event itself is level 1). */
  maxEventDepth?: number
  /** The largest event, as the length of its JSON text. */
  maxEventBytes?: number
  /** How far ahead of the gateway's clock an event's timestamp may be before it is corrected. */
  maxFutureTimestampMs?: number
}

export const DEFAULT_LIMITS: Required<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
  maxEventDepth: 64,
  maxEventBytes: 512 * 1024,
  // Kafka 4 refuses records more than an hour ahead of the broker's clock (log.message.timestamp.after.max.ms);
  // ten minutes stays clear of it with room for the difference between the gateway's and the broker's clocks.
  maxFutureTimestampMs: 10 * 60_000
}

const ms = (max: number) => ({ type: 'integer', minimum: 1, maximum: max }) as const

export const LIMITS_SCHEMA_PROPERTIES = {
  headersTimeoutMs: ms(600_000),
  requestTimeoutMs: ms(3_600_000),
  keepAliveTimeoutMs: ms(600_000),
  maxConnections: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  maxEventDepth: { type: 'integer', minimum: 4, maximum: 1_000 },
  maxEventBytes: { type: 'integer', minimum: 1_024, maximum: 64 * 1024 * 1024 },
  maxFutureTimestampMs: { type: 'integer', minimum: 0, maximum: 366 * 24 * 3_600_000 }
} as const

/** The limits of a `server` section, the defaults under the given ones. */
export function limitsOf(server: ServerLimits | undefined): Required<ServerLimits> {
  const given = Object.fromEntries(Object.entries(server ?? {}).filter(([k]) => k in DEFAULT_LIMITS))
  return { ...DEFAULT_LIMITS, ...given }
}

/** What the schema cannot say: Node needs the headers' time within the request's. */
export function limitsProblems(server: ServerLimits | undefined): string[] {
  const l = limitsOf(server)
  return l.headersTimeoutMs > l.requestTimeoutMs
    ? [`server.headersTimeoutMs: ${l.headersTimeoutMs} is more than server.requestTimeoutMs (${l.requestTimeoutMs})`]
    : []
}

/** Node's options for the limits (they must be given when the server is created). */
export function httpOptions(limits: Required<ServerLimits>): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts on this interval (30 s by default): a second keeps them close to exact.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs)
  }
}

/** The connection cap, set on the created server. */
export function applyConnectionCap(server: http.Server, limits: Required<ServerLimits>): void {
  server.maxConnections = limits.maxConnections
}
