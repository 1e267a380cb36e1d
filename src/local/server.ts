/**
 * The local server: the destination's runtime routes (routes.ts), Segment's tracking API
 * (tracking-routes.ts) and the operator's routes (ops-routes.ts) over HTTP or HTTPS. Per request: route,
 * method, access (write key or admin token), admission, body, handler, one JSON log line and the request
 * metric. Closing drains: new requests are refused, those in flight are answered, then the producers
 * are closed. Nothing a client sends can crash it.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import type { DestinationDefinition } from '@segment/actions-core'
import { closeAllProducers } from '../producers'
import type { Caller } from './access'
import { browserRoutes } from './browser-routes'
import { type ConfigFile, defaultConfig } from './config-file'
import { createContext, type ServerContext } from './context'
import { errorResponse, readBody, RequestError, send } from './http-io'
import { silentLogger, type Logger } from './logger'
import { adminRoutes } from './admin-routes'
import { consoleRoutes } from './console-routes'
import { opsRoutes } from './ops-routes'
import { publicBase } from './public-url'
import { clientAddress } from './rate-limit'
import { describeRoutes, matchRoute, type Reply, type Routes } from './route'
import { runtimeRoutes } from './routes'
import { checkExposure, DEFAULT_DRAIN_TIMEOUT_MS, readTls } from './server-config'
import { applyConnectionCap, httpOptions, limitsOf } from './server-limits'
import { openRunner } from './startup'
import { describeUnexpected, isUnexpected, nextRequestId } from './request-guard'
import { parseTarget } from './request-target'
import { trackingRoutes } from './tracking-routes'

export { MAX_EVENTS_PER_REQUEST } from './request-schemas'

export const DEFAULT_PORT = 3000
export const DEFAULT_HOST = '127.0.0.1'
/** Large enough for a batch of a few thousand typical events; larger bodies get 413. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024

export interface ServerOptions {
  /** The destination definition to host; the package's own by default. */
  definition?: DestinationDefinition<unknown>
  /** Settings, subscriptions and the `server` section; the embedded default when omitted. */
  config?: ConfigFile
  /** 0 picks a free port. Default 3000. */
  port?: number
  host?: string
  maxBodyBytes?: number
  /** JSON logs, one line per request; nothing is logged when omitted. */
  logger?: Logger
}

export interface PreparedServer {
  server: http.Server
  /** `METHOD /path` of every route. */
  routes: string[]
  destination: ServerContext['runner']['destination']
  config: ConfigFile
  context: ServerContext
}

function sendReply(res: http.ServerResponse, reply: Reply): void {
  if (reply.stream) return reply.stream(res)
  if (reply.contentType === undefined) return send(res, reply.status, reply.body, reply.headers)
  if (res.headersSent) return
  res.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers })
  res.end(String(reply.body))
}

/** The query string's parameters (the path is parse-checked by request-target.ts). */
function queryOf(url: string | undefined): URLSearchParams {
  const at = url?.indexOf('?') ?? -1
  return new URLSearchParams(at < 0 ? '' : (url as string).slice(at + 1).split('#')[0])
}

/** The events a request carries, for its log line. */
function eventCount(body: unknown): number | undefined {
  if (Array.isArray(body)) return body.length
  const batch = (body as { batch?: unknown } | undefined)?.batch
  if (Array.isArray(batch)) return batch.length
  return body && typeof body === 'object' ? 1 : undefined
}

/** Builds the HTTP(S) server (not listening yet); a bad config fails here (see startup.ts). */
export async function createServer(options: ServerOptions = {}): Promise<PreparedServer> {
  const runner = await openRunner(options.config ?? defaultConfig(), options.definition)
  const context = createContext(runner)
  const routes: Routes = new Map()
  runtimeRoutes(context, routes)
  trackingRoutes(context, routes)
  browserRoutes(context, routes)
  opsRoutes(context, routes)
  adminRoutes(context, routes)
  consoleRoutes(routes)
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const logger = options.logger ?? silentLogger()
  const { access, admission, metrics, origins, rateLimits } = context
  const serverConfig = runner.config.server
  const tls = serverConfig?.tls !== undefined
  const trustProxy = serverConfig?.trustProxy ?? 0

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const started = process.hrtime.bigint()
    const requestId = nextRequestId()
    const target = parseTarget(req.url)
    const path = target.ok ? target.path : ''
    const log: { caller?: string; events?: number } = {}
    // The route's registered path: `/v1/projects/:writeKey/settings`, never the key in the request's.
    const route = (target.ok ? matchRoute(routes, path)?.key : undefined) ?? 'unknown'
    res.setHeader('x-request-id', requestId)
    res.on('finish', () => {
      metrics.requests.inc({ route, status: String(res.statusCode) })
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const shown = route === 'unknown' ? path : route
      const status = res.statusCode
      logger.info(
        { requestId, method: req.method, path: shown, status, ms: Math.round(ms * 10) / 10, ...log },
        'request'
      )
    })
    // Whatever fails below answers this request alone: a RequestError as itself, a destination error with
    // its status, anything else (a bug, a stack overflow) as a 500 naming only the request id, logged and
    // counted. The process goes on serving the others.
    const fail = (error: unknown): void => {
      try {
        if (admission.isDraining) res.setHeader('connection', 'close')
        if (error instanceof RequestError) {
          const { status, code, message } = error
          send(res, status, { ok: false, error: { status, code, message } }, error.headers)
          // Stop reading an oversized body; the client got its answer.
          if (status === 413) res.on('finish', () => req.destroy())
          return
        }
        if (isUnexpected(error)) {
          metrics.unexpectedErrors.inc({ where: 'request', route })
          logger.error({ requestId, path, err: describeUnexpected(error) }, 'unexpected error')
          const message = `unexpected error while handling the request (request id ${requestId})`
          send(res, 500, { ok: false, error: { status: 500, code: 'INTERNAL_ERROR', message }, requestId })
          return
        }
        const { status, body } = errorResponse(error)
        logger.warn({ requestId, path, status, code: (body.error as { code?: string }).code }, 'request failed')
        send(res, status, body)
      } catch (failure) {
        // Even the error answer failed (e.g. a socket already gone): end this request, nothing more.
        logger.error({ requestId, path, err: describeUnexpected(failure) }, 'could not answer')
        res.destroy()
      }
    }
    try {
      if (!target.ok) throw new RequestError(400, 'BAD_REQUEST_TARGET', target.reason)
      handle(req, res, path, log).catch(fail)
    } catch (error) {
      fail(error)
    }
  }

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    log: { caller?: string; events?: number }
  ): Promise<void> {
    const matched = matchRoute(routes, path)
    if (!matched) {
      const known = describeRoutes(routes).join(', ')
      throw new RequestError(404, 'NOT_FOUND', `no route ${req.method} ${path}; the routes are: ${known}`)
    }
    const { route, params } = matched
    // Pages of allowed origins may call the browser routes; no other route answers another origin's page.
    const ownHost = (): string => publicBase(serverConfig, req.headers, tls).host
    if (route.browser) {
      const cors = origins.browserHeaders(req.headers, ownHost)
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value)
      if (req.method === 'OPTIONS') return sendReply(res, origins.preflight(cors, route.method))
    } else {
      origins.sameOriginOnly(req.headers, ownHost)
    }
    if (req.method !== route.method) {
      throw new RequestError(405, 'METHOD_NOT_ALLOWED', `${path} accepts ${route.method}, not ${req.method}`, {
        allow: route.method
      })
    }
    // Public routes (events, settings) count against the client address's rate limit; probes do not.
    const limited = route.browser === true || route.access === 'writeKey'
    if (limited) rateLimits.client(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy))
    // Reads (health, readiness, metrics, manifest) go on while draining; work does not. A request counts
    // until its answer is written out, so that a drain never cuts an answer short.
    if (route.method === 'POST') res.once('close', admission.enter())
    // A write key may come in the body; anything else is checked before the body is read.
    let caller: Caller | undefined
    if (route.access !== 'writeKey' || req.headers.authorization) caller = access.check(route.access, req.headers)
    if (caller && route.access === 'writeKey') rateLimits.writeKey(caller.name)
    const body = route.method === 'POST' ? await readBody(req, maxBodyBytes, route.browser === true) : undefined
    if (!caller) {
      caller = access.check(route.access, req.headers, (body as { writeKey?: unknown } | undefined)?.writeKey)
      if (route.access === 'writeKey') rateLimits.writeKey(caller.name)
    }
    log.caller = caller.name
    if (route.access === 'writeKey') log.events = eventCount(body)
    if (body === undefined && route.method === 'POST' && !route.emptyBodyOk) {
      throw new RequestError(400, 'EMPTY_BODY', `POST ${path} needs a JSON body`)
    }
    const reply = await route.handler(body, { headers: req.headers, caller, path, params, query: queryOf(req.url) })
    if (admission.isDraining) res.setHeader('connection', 'close')
    sendReply(res, reply)
  }

  const files = readTls(serverConfig)
  const limits = limitsOf(serverConfig)
  const server = files
    ? https.createServer({ cert: files.cert, key: files.key, ...httpOptions(limits) }, listener)
    : http.createServer(httpOptions(limits), listener)
  applyConnectionCap(server, limits)
  return { server, routes: describeRoutes(routes), destination: runner.destination, config: runner.config, context }
}

export interface RunningServer extends PreparedServer {
  url: string
  port: number
  /**
   * Drains and stops: refuses new requests (503), answers those in flight (up to the drain timeout, then
   * their connections are closed), then disconnects every pooled producer. Idempotent.
   */
  close(): Promise<void>
}

/** Creates the server and listens (port 0 = any free port, for tests). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST
  checkExposure(host, options.config?.server)
  const prepared = await createServer(options)
  const { server, context } = prepared
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as { port: number }).port
  const drainTimeoutMs = prepared.config.server?.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const drained = context.admission.drain()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, drainTimeoutMs)))])
      clearTimeout(timer)
      server.closeAllConnections()
      await Promise.all([...context.streams].map((s) => s.stop()))
      await closed
      await closeAllProducers()
    })()
    return closing
  }
  const scheme = server instanceof https.Server ? 'https' : 'http'
  const shownHost = host.includes(':') ? `[${host}]` : host
  return { ...prepared, url: `${scheme}://${shownHost}:${port}`, port, close }
}
