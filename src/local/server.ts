/**
 * The local actions-style HTTP server hosting the destination definition (routes.ts): listening, reading
 * and checking each request, answering errors as JSON, and closing (server, then every pooled producer).
 * Nothing a client sends can crash it.
 */
import * as http from 'node:http'
import type { DestinationDefinition } from '@segment/actions-core'
import { closeAllProducers } from '../producers'
import { type ConfigFile, defaultConfig } from './config-file'
import { errorResponse, readBody, RequestError, send } from './http-io'
import { buildRoutes, describeRoutes } from './routes'
import { openRunner, type LocalRunner } from './startup'

export { MAX_EVENTS_PER_REQUEST } from './request-schemas'

export const DEFAULT_PORT = 3000
export const DEFAULT_HOST = '127.0.0.1'
/** Large enough for a batch of a few thousand typical events; larger bodies get 413. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024

export interface ServerOptions {
  /** The destination definition to host; the package's own by default. */
  definition?: DestinationDefinition<unknown>
  /** Settings and subscriptions for `/events` and the default settings of the other routes. */
  config?: ConfigFile
  /** 0 picks a free port. Default 3000. */
  port?: number
  host?: string
  maxBodyBytes?: number
  /** Where one line per request goes; nothing is logged when omitted. */
  log?: (line: string) => void
}

export interface PreparedServer {
  server: http.Server
  /** `METHOD /path` of every route. */
  routes: string[]
  destination: LocalRunner['destination']
  config: ConfigFile
}

/** Builds the HTTP server (not listening yet); a bad config fails here (see startup.ts). */
export async function createServer(options: ServerOptions = {}): Promise<PreparedServer> {
  const runner = await openRunner(options.config ?? defaultConfig(), options.definition)
  const routes = buildRoutes(runner)
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const log = options.log

  const server = http.createServer((req, res) => {
    const started = Date.now()
    res.on('finish', () => log?.(`${res.statusCode} ${req.method} ${req.url} ${Date.now() - started} ms`))
    handle(req, res).catch((error: unknown) => {
      if (error instanceof RequestError) {
        send(
          res,
          error.status,
          { ok: false, error: { status: error.status, code: error.code, message: error.message } },
          error.headers
        )
        // Stop reading an oversized body; the client got its answer.
        if (error.status === 413) res.on('finish', () => req.destroy())
        return
      }
      const { status, body } = errorResponse(error)
      send(res, status, body)
    })
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/(.)\/+$/, '$1')
    const route = routes.get(path)
    if (!route) {
      const known = describeRoutes(routes).join(', ')
      throw new RequestError(404, 'NOT_FOUND', `no route ${req.method} ${path}; the routes are: ${known}`)
    }
    if (req.method !== route.method) {
      throw new RequestError(405, 'METHOD_NOT_ALLOWED', `${path} accepts ${route.method}, not ${req.method}`, {
        allow: route.method
      })
    }
    const body = route.method === 'POST' ? await readBody(req, maxBodyBytes) : undefined
    if (body === undefined && route.method === 'POST' && !route.emptyBodyOk) {
      throw new RequestError(400, 'EMPTY_BODY', `POST ${path} needs a JSON body`)
    }
    const { status, body: out } = await route.handler(body)
    send(res, status, out)
  }

  return { server, routes: describeRoutes(routes), destination: runner.destination, config: runner.config }
}

export interface RunningServer extends PreparedServer {
  url: string
  port: number
  /** Stops accepting requests, ends idle connections and disconnects every pooled producer. Idempotent. */
  close(): Promise<void>
}

/** Creates the server and listens (port 0 = any free port, for tests). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const prepared = await createServer(options)
  const { server } = prepared
  const host = options.host ?? DEFAULT_HOST
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as { port: number }).port
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      await closeAllProducers()
    })()
    return closing
  }
  return { ...prepared, url: `http://${host}:${port}`, port, close }
}
