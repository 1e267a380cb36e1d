/**
 * What a route is to the server: its method, who may call it, whether an empty body is allowed, whether
 * web pages may call it, and its handler, which gets the parsed body and the request's caller and returns
 * the answer. A path segment `:name` matches any one segment, given to the handler in `params`.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Access, Caller } from './access'

export interface RouteRequest {
  headers: IncomingHttpHeaders
  caller: Caller
  /** The route's path, for metrics and logs. */
  path: string
  /** The values of the route's `:name` segments. */
  params?: Record<string, string>
  /** The query string's parameters. */
  query: URLSearchParams
}

export interface Reply {
  status: number
  /** JSON unless `contentType` is given, then sent as is (a string). */
  body: unknown
  contentType?: string
  headers?: Record<string, string>
  /** A streamed answer (server-sent events): writes the head and the body itself; `body` is unused. */
  stream?: (res: ServerResponse) => void
}

export type Handler = (body: unknown, request: RouteRequest) => Promise<Reply>

export interface Route {
  method: 'GET' | 'POST'
  access: Access
  /** An empty body counts as `{}` (routes whose fields are all optional). */
  emptyBodyOk: boolean
  /**
   * A route web pages call (the tracking and settings routes): CORS for `server.allowedOrigins`, its
   * preflight, and `text/plain` bodies (what the browser SDK and sendBeacon send). Others: same origin only.
   */
  browser?: boolean
  handler: Handler
}

export type Routes = Map<string, Route>

export interface MatchedRoute {
  /** The route's path as registered (`/v1/projects/:writeKey/settings`): for metrics and logs. */
  key: string
  route: Route
  params: Record<string, string>
}

/** The route for `path`: an exact one, else one with `:name` segments (few: a linear scan). */
export function matchRoute(routes: Routes, path: string): MatchedRoute | undefined {
  const exact = routes.get(path)
  if (exact) return { key: path, route: exact, params: {} }
  const parts = path.split('/')
  for (const [key, route] of routes) {
    if (!key.includes('/:')) continue
    const pattern = key.split('/')
    if (pattern.length !== parts.length) continue
    const params: Record<string, string> = {}
    const matches = pattern.every((p, i) => {
      if (!p.startsWith(':')) return p === parts[i]
      if (!parts[i]) return false
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i])
      } catch {
        params[p.slice(1)] = parts[i]
      }
      return true
    })
    if (matches) return { key, route, params }
  }
  return undefined
}

/** `METHOD /path` of every route. */
export function describeRoutes(routes: Routes): string[] {
  return [...routes.entries()].map(([p, r]) => `${r.method} ${p}`)
}
