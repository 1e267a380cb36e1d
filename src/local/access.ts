/**
 * Who is calling: a write key (Segment's way: the HTTP basic-auth user name with an empty password, or
 * `writeKey` in the body) for the routes that take events, the admin token (`Authorization: Bearer`) for
 * the routes that take settings or reveal the cluster. Keys are compared in constant time through their
 * SHA-256 digests, every configured key every time; a refusal names nothing secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { RequestError } from './http-io'
import { isOpen, type ServerConfig } from './server-config'

/** What a route requires: nothing, a write key (or the admin token), or the admin token. */
export type Access = 'open' | 'writeKey' | 'admin'

/** Who the caller proved to be; `name` goes into logs and metrics. */
export interface Caller {
  name: string
}

/** The caller of an open server, which checks nothing. */
export const ANONYMOUS: Caller = { name: 'none' }
export const ADMIN: Caller = { name: 'admin' }

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest()

function authorization(headers: IncomingHttpHeaders): { scheme: string; value: string } | undefined {
  const header = headers.authorization
  if (!header) return undefined
  const space = header.indexOf(' ')
  if (space < 0) return { scheme: header.toLowerCase(), value: '' }
  return { scheme: header.slice(0, space).toLowerCase(), value: header.slice(space + 1).trim() }
}

/** The user name of a basic-auth header (the write key); the password is ignored, as Segment does. */
function basicUser(value: string): string {
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? decoded : decoded.slice(0, colon)
}

export class AccessControl {
  private readonly keys: { name: string; digest: Buffer }[]
  private readonly admin: Buffer | undefined
  private readonly metrics: Buffer | undefined
  readonly open: boolean

  constructor(server: ServerConfig | undefined) {
    this.keys = (server?.writeKeys ?? []).map((w) => ({ name: w.name, digest: digest(w.key) }))
    this.admin = server?.adminToken ? digest(server.adminToken) : undefined
    this.metrics = server?.metricsToken ? digest(server.metricsToken) : undefined
    this.open = isOpen(server)
  }

  /** The write key's name, comparing against every key (no early exit). */
  private writeKeyName(candidate: string): string | undefined {
    const d = digest(candidate)
    let found: string | undefined
    for (const k of this.keys) if (timingSafeEqual(d, k.digest) && found === undefined) found = k.name
    return found
  }

  /** Whether events with this write key are taken: any key when the server checks none. */
  knowsWriteKey(candidate: string): boolean {
    if (this.open || this.keys.length === 0) return true
    return this.writeKeyName(candidate) !== undefined
  }

  private isAdmin(candidate: string): boolean {
    return this.admin !== undefined && timingSafeEqual(digest(candidate), this.admin)
  }

  /** True for a request that carries the admin token, or any request to an open server. */
  isAdminRequest(headers: IncomingHttpHeaders): boolean {
    if (this.open) return true
    const auth = authorization(headers)
    return auth?.scheme === 'bearer' && this.isAdmin(auth.value)
  }

  /**
   * `GET /metrics`: open unless `server.metricsToken` is set; then it needs that token (or the admin token)
   * as a bearer token, compared in constant time like the others; a refusal is a 401 naming nothing secret.
   */
  checkMetrics(headers: IncomingHttpHeaders): void {
    if (!this.metrics) return
    const auth = authorization(headers)
    if (auth?.scheme === 'bearer') {
      const d = digest(auth.value)
      const isMetrics = timingSafeEqual(d, this.metrics)
      const isAdmin = this.admin !== undefined && timingSafeEqual(d, this.admin)
      if (isMetrics || isAdmin) return
    }
    throw new RequestError(401, 'UNAUTHORIZED', '/metrics needs the metrics token (Authorization: Bearer <token>)', {
      'www-authenticate': 'Bearer'
    })
  }

  /**
   * Checks a request against what its route requires; throws a 401 (or 403 for a write key on an admin
   * route) otherwise. `bodyWriteKey` is the body's `writeKey`, when the body is an object that has one.
   */
  check(access: Access, headers: IncomingHttpHeaders, bodyWriteKey?: unknown): Caller {
    if (access === 'open' || this.open) return ANONYMOUS
    const auth = authorization(headers)
    if (auth?.scheme === 'bearer' && this.isAdmin(auth.value)) return ADMIN
    if (access === 'admin') {
      if (!this.admin) return ANONYMOUS // write keys only: the admin routes stay as open as before
      throw new RequestError(401, 'UNAUTHORIZED', 'this route needs the admin token (Authorization: Bearer <token>)', {
        'www-authenticate': 'Bearer'
      })
    }
    if (this.keys.length === 0) return ANONYMOUS // an admin token only: events need no key
    const candidate =
      auth?.scheme === 'basic' ? basicUser(auth.value) : typeof bodyWriteKey === 'string' ? bodyWriteKey : undefined
    const name = candidate ? this.writeKeyName(candidate) : undefined
    if (name) return { name }
    throw new RequestError(
      401,
      'UNAUTHORIZED',
      candidate
        ? 'the write key is not valid'
        : 'a write key is required: the HTTP basic-auth user name (empty password), or writeKey in the body',
      { 'www-authenticate': 'Basic realm="events"' }
    )
  }
}
