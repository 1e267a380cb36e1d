/**
 * What a route is to the server: its method, who may call it, whether an empty body is allowed, and its
 * handler, which gets the parsed body and the request's caller and returns the answer.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Access, Caller } from './access'

export interface RouteRequest {
  headers: IncomingHttpHeaders
  caller: Caller
  /** The route's path, for metrics and logs. */
  path: string
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
  handler: Handler
}

export type Routes = Map<string, Route>

/** `METHOD /path` of every route. */
export function describeRoutes(routes: Routes): string[] {
  return [...routes.entries()].map(([p, r]) => `${r.method} ${p}`)
}
