/**
 * Request rate limits for a gateway whose write keys are public (they are in web pages): a token bucket
 * per client address and one per write key, each refusing with 429 and `Retry-After` (the SDKs wait that
 * long and retry). The buckets of client addresses live in an LRU of bounded size, so a flood of
 * addresses costs bounded memory (a forgotten address starts again with a full bucket).
 */
import * as net from 'node:net'
import { LRUCache } from 'lru-cache'
import { RequestError } from './http-io'
import type { RateLimitConfig, RateLimitsConfig, ServerConfig } from './server-config'

/** With allowed origins (a gateway for browsers): a page view sends a few requests; a NAT hides many users. */
export const BROWSER_DEFAULT_LIMITS = {
  perClient: { perSecond: 50, burst: 500 },
  perWriteKey: { perSecond: 2000, burst: 20000 },
  maxClients: 100000
} as const

/** `perSecond` tokens a second up to `burst`; a request takes one. Time in milliseconds, passed in. */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number
  ) {
    this.tokens = burst
    this.last = now
  }

  /** Takes a token: 0 when there was one, else the seconds until there will be one (at least 1). */
  take(now: number): number {
    const elapsed = Math.max(0, now - this.last) / 1000
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond)
    this.last = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond))
  }
}

/** IPv4 as is; IPv6 by its /64 (one host usually holds a whole /64); IPv4-mapped IPv6 as IPv4. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]
  if (!net.isIPv6(address)) return address
  const [head, tail = ''] = address.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = address.includes('::') && tail ? tail.split(':') : []
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((g) => String(parseInt(g, 16) || 0))
    .join(':')}::/64`
}

/**
 * The client's address: the socket's, or with `trustProxy` = n proxies in front, the n-th address of
 * X-Forwarded-For counted from the right (each proxy appends the address it received from), or the
 * leftmost when the header has fewer.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: unknown, trustProxy: number): string {
  const socket = socketAddress ?? 'unknown'
  if (trustProxy <= 0 || typeof forwardedFor !== 'string') return socket
  const hops = forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
  if (hops.length === 0) return socket
  const hop = hops[Math.max(0, hops.length - trustProxy)]
  return net.isIP(hop) ? hop : socket
}

type Limit = 'client' | 'write_key'

/** The configured limits, or the defaults: on for a gateway that allows web pages, off otherwise. */
export function limitsInForce(server: ServerConfig | undefined): Required<RateLimitsConfig> {
  const configured: RateLimitsConfig = server?.rateLimits ?? {}
  const browser = (server?.allowedOrigins?.length ?? 0) > 0
  return {
    perClient: configured.perClient ?? (browser ? BROWSER_DEFAULT_LIMITS.perClient : false),
    perWriteKey: configured.perWriteKey ?? (browser ? BROWSER_DEFAULT_LIMITS.perWriteKey : false),
    maxClients: configured.maxClients ?? BROWSER_DEFAULT_LIMITS.maxClients
  }
}

/** The limits in force, in words (for the start-up banner). */
export function describeLimits(server: ServerConfig | undefined): string {
  const { perClient, perWriteKey } = limitsInForce(server)
  const one = (what: string, l: RateLimitConfig): string =>
    l === false ? `per ${what} off` : `per ${what} ${l.perSecond}/s (burst ${l.burst})`
  return `${one('client', perClient)}, ${one('write key', perWriteKey)}`
}

export class RateLimiter {
  private readonly perClient: RateLimitConfig
  private readonly perWriteKey: RateLimitConfig
  private readonly clients: LRUCache<string, TokenBucket>
  private readonly keys = new Map<string, TokenBucket>()

  constructor(
    server: ServerConfig | undefined,
    private readonly onLimited: (limit: Limit, writeKeyName: string) => void = () => undefined,
    private readonly now: () => number = () => performance.now()
  ) {
    const limits = limitsInForce(server)
    this.perClient = limits.perClient
    this.perWriteKey = limits.perWriteKey
    this.clients = new LRUCache({ max: limits.maxClients })
  }

  /** Counts a request from `address`; throws 429 beyond the per-client limit. */
  client(address: string): void {
    if (this.perClient === false) return
    const key = clientKey(address)
    let bucket = this.clients.get(key)
    if (!bucket)
      this.clients.set(key, (bucket = new TokenBucket(this.perClient.perSecond, this.perClient.burst, this.now())))
    this.check(bucket, 'client', '-', 'this client address')
  }

  /** Counts a request with the write key named `name` (the name, never the key); 429 beyond its limit. */
  writeKey(name: string): void {
    if (this.perWriteKey === false) return
    let bucket = this.keys.get(name)
    if (!bucket)
      this.keys.set(name, (bucket = new TokenBucket(this.perWriteKey.perSecond, this.perWriteKey.burst, this.now())))
    this.check(bucket, 'write_key', name, `write key ${name}`)
  }

  private check(bucket: TokenBucket, limit: Limit, writeKeyName: string, who: string): void {
    const wait = bucket.take(this.now())
    if (wait === 0) return
    this.onLimited(limit, writeKeyName)
    throw new RequestError(429, 'RATE_LIMITED', `too many requests from ${who}; retry after ${wait} s`, {
      'retry-after': String(wait)
    })
  }
}
