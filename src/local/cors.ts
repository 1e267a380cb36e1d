/**
 * Which web pages may call which routes. The browser routes (the tracking routes and the settings
 * route) answer pages of the origins in `server.allowedOrigins` (`*`: any page, as Segment's API does,
 * since write keys are public in pages) with CORS headers, and their preflights (`OPTIONS`). Every other
 * route (admin, console, metrics) serves the gateway's own pages only: a request that a page of another
 * origin sent (its `Origin` header names another host) is refused with 403 and no CORS header, as is a
 * browser route's request from an origin not allowed, so that a simple request (sendBeacon, a form) from
 * such a page lands nothing either. Requests without `Origin` (servers, SDKs, curl) are not concerned.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { RequestError } from './http-io'
import type { Reply } from './route'
import type { ServerConfig } from './server-config'

/** What the SDK sends: basic auth with the write key, `text/plain` JSON, and its retry count. */
export const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Retry-Count'
/** Chromium caps a preflight's cache at two hours. */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200

export class OriginPolicy {
  private readonly any: boolean
  private readonly origins: Set<string>

  constructor(server: ServerConfig | undefined) {
    const allowed = (server?.allowedOrigins ?? []).map((o) => o.toLowerCase())
    this.any = allowed.includes('*')
    this.origins = new Set(allowed.filter((o) => o !== '*'))
  }

  /**
   * The CORS headers for a browser route's answer; throws 403 for a page of an origin not allowed.
   * `ownHost` is the host (and port) clients reach the gateway at.
   */
  browserHeaders(headers: IncomingHttpHeaders, ownHost: () => string): Record<string, string> {
    const origin = headers.origin
    if (origin === undefined) return {}
    if (this.any) return { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Retry-After' }
    if (this.origins.has(origin.toLowerCase())) {
      return {
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'Retry-After',
        vary: 'Origin'
      }
    }
    if (sameHost(origin, ownHost)) return {}
    throw notAllowed(origin)
  }

  /** Any other route: a request from another origin's page is refused (403, no CORS header). */
  sameOriginOnly(headers: IncomingHttpHeaders, ownHost: () => string): void {
    const origin = headers.origin
    if (origin !== undefined && !sameHost(origin, ownHost)) {
      throw new RequestError(403, 'CROSS_ORIGIN_REFUSED', 'this route does not answer requests from other origins')
    }
  }

  /**
   * The answer to a browser route's `OPTIONS`, given its `browserHeaders`: a preflight from an allowed
   * origin gets 204 and the methods and headers it may use.
   */
  preflight(cors: Record<string, string>, method: string): Reply {
    const allow = `${method}, OPTIONS`
    if (!cors['access-control-allow-origin'])
      return { status: 204, body: '', contentType: 'text/plain', headers: { allow } }
    return {
      status: 204,
      body: '',
      contentType: 'text/plain',
      headers: {
        ...cors,
        allow,
        'access-control-allow-methods': allow,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS)
      }
    }
  }
}

/** Whether `origin` names the host (and port) the request was sent to: the gateway's own page. */
function sameHost(origin: string, ownHost: () => string): boolean {
  let host: string
  try {
    host = new URL(origin).host.toLowerCase()
  } catch {
    return false // `null` (sandboxed frames, file:) or garbage
  }
  try {
    return host === ownHost()
  } catch {
    return false
  }
}

function notAllowed(origin: string): RequestError {
  // The origin is the page's own, public: quoting it helps the operator find the missing entry.
  const shown = origin.length > 200 ? `${origin.slice(0, 200)}...` : origin
  return new RequestError(
    403,
    'ORIGIN_NOT_ALLOWED',
    `pages of origin ${JSON.stringify(shown)} may not call this gateway (server.allowedOrigins)`
  )
}
