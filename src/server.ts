/**
 * A local actions-style HTTP server hosting the destination definition, with the routes of Segment's
 * local destination server (`GET /manifest`, `POST /authenticate`, `POST /<action>`,
 * `POST /<action>/<dynamic field>`) plus `POST /events`, which runs raw Segment events through the config
 * file's subscriptions the way a runtime does. Request bodies are checked against ajv schemas compiled
 * once at load; nothing a client sends can crash it.
 */
import * as http from 'node:http'
import Ajv from 'ajv'
import {
  Destination,
  type DestinationDefinition,
  type DynamicFieldResponse,
  type JSONObject,
  type Result,
  type SegmentEvent
} from '@segment/actions-core'
import {
  type ConfigFile,
  defaultConfig,
  mappingWithDefaults,
  settingsWithDefaults,
  verifyConfig,
  withFieldDefaults
} from './config-file'
import ownDefinition from './index'
import { closeAllProducers } from './producers'
import { check, errorResponse, readBody, RequestError, send } from './http-io'
import { runBatch, runEvent, summarise } from './run-events'

export const DEFAULT_PORT = 3000
export const DEFAULT_HOST = '127.0.0.1'
/** Large enough for a batch of a few thousand typical events; larger bodies get 413. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
/** Most events one request may carry (one batch). */
export const MAX_EVENTS_PER_REQUEST = 10000

// ---------------------------------------------------------------------------------------------------
// Request schemas (compiled once)

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true })
const object = { type: 'object' } as const
const eventSchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', minLength: 1 } }
} as const

const schemas = {
  authenticate: ajv.compile(object),
  action: ajv.compile({
    type: 'object',
    required: ['payload'],
    additionalProperties: false,
    properties: {
      payload: { type: ['object', 'array'], items: object, minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST },
      settings: object,
      mapping: object,
      auth: object,
      audienceSettings: object,
      features: object
    }
  }),
  dynamicField: ajv.compile({
    type: 'object',
    additionalProperties: false,
    properties: {
      settings: object,
      payload: object,
      query: { type: 'string' },
      page: { type: ['string', 'number'] },
      auth: object,
      audienceSettings: object
    }
  }),
  events: ajv.compile({
    ...eventSchema,
    type: ['object', 'array'],
    items: eventSchema,
    minItems: 1,
    maxItems: MAX_EVENTS_PER_REQUEST
  })
}

// ---------------------------------------------------------------------------------------------------
// The server

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

type Handler = (body: unknown) => Promise<{ status: number; body: unknown }>

interface Route {
  method: 'GET' | 'POST'
  /** An empty body counts as `{}` (routes whose fields are all optional). */
  emptyBodyOk: boolean
  handler: Handler
}

function lastData(results: Result[]): unknown {
  for (let i = results.length - 1; i >= 0; i--) if (results[i].data !== undefined) return results[i].data
  return undefined
}

function buildRoutes(
  definition: DestinationDefinition<unknown>,
  destination: Destination<unknown>,
  config: ConfigFile
): Map<string, Route> {
  const routes = new Map<string, Route>()
  // Settings given in a request get the settings fields' defaults under them; none given: the config's.
  const settingsOr = (given: JSONObject | undefined): JSONObject =>
    given ? settingsWithDefaults(definition, given) : { ...config.settings }

  routes.set('/manifest', {
    method: 'GET',
    emptyBodyOk: true,
    handler: async () => ({ status: 200, body: destination.definition })
  })

  routes.set('/authenticate', {
    method: 'POST',
    emptyBodyOk: true,
    handler: async (raw) => {
      const body = check<JSONObject>(schemas.authenticate, raw ?? {})
      // An empty body tests the config's settings: handy with `curl -X POST .../authenticate`.
      const settings = settingsOr(Object.keys(body).length ? body : undefined)
      try {
        await destination.testAuthentication(settings)
        return { status: 200, body: { ok: true } }
      } catch (error) {
        const { body: failure } = errorResponse(error)
        const e = failure.error as JSONObject
        return { status: 200, body: { ok: false, error: e.message, ...(e.fields ? { fields: e.fields } : {}) } }
      }
    }
  })

  for (const slug of Object.keys(destination.actions)) {
    routes.set(`/${slug}`, {
      method: 'POST',
      emptyBodyOk: false,
      handler: async (raw) => {
        const body = check<{
          payload: JSONObject | JSONObject[]
          settings?: JSONObject
          mapping?: JSONObject
          auth?: JSONObject
        }>(schemas.action, raw)
        const settings = settingsOr(body.settings)
        destination.validateSettings({ ...settings })
        const mapping = mappingWithDefaults(definition, slug, body.mapping ?? {})
        const auth = body.auth as never
        if (Array.isArray(body.payload)) {
          const events = body.payload as unknown as SegmentEvent[]
          const nodes = await destination.executeBatch(slug, { events, mapping, settings, auth })
          const results = nodes.map((n) =>
            'errormessage' in n
              ? { ok: false, status: n.status, code: n.errortype, message: n.errormessage }
              : { ok: n.status < 400, status: n.status, data: n.body }
          )
          return { status: 200, body: { ok: results.every((r) => r.ok), results } }
        }
        const results = await destination.actions[slug].execute({ data: body.payload, mapping, settings, auth })
        return { status: 200, body: { ok: true, data: lastData(results) ?? null } }
      }
    })

    const dynamicFields = destination.actions[slug].definition.dynamicFields ?? {}
    for (const [field, fn] of Object.entries(dynamicFields)) {
      if (typeof fn !== 'function') continue
      routes.set(`/${slug}/${field}`, {
        method: 'POST',
        emptyBodyOk: true,
        handler: async (raw) => {
          const body = check<{ settings?: JSONObject; payload?: JSONObject; query?: string; page?: string | number }>(
            schemas.dynamicField,
            raw ?? {}
          )
          const data = {
            settings: settingsOr(body.settings),
            payload: body.payload ?? {},
            page: body.page === undefined ? undefined : String(body.page),
            dynamicFieldContext: body.query === undefined ? undefined : { query: body.query }
          }
          // The handler goes in as the 4th argument: without it actions-core replaces dynamicFieldContext
          // with one derived from the field path (undefined for a plain field) and the query is lost.
          const result = (await destination.executeDynamicField(slug, field, data, fn)) as DynamicFieldResponse
          return { status: 200, body: result }
        }
      })
    }
  }

  routes.set('/events', {
    method: 'POST',
    emptyBodyOk: false,
    handler: async (raw) => {
      const body = check<SegmentEvent | SegmentEvent[]>(schemas.events, raw)
      if (Array.isArray(body)) {
        const results = await runBatch(destination, config, body)
        const summary = summarise(results)
        return { status: 200, body: { ok: summary.failed === 0, summary, results } }
      }
      const result = await runEvent(destination, config, body)
      const failed = result.deliveries.find((d) => !d.ok)
      return { status: failed ? failed.status : 200, body: { ok: !failed, ...result } }
    }
  })

  routes.set('/', {
    method: 'GET',
    emptyBodyOk: true,
    handler: async () => ({
      status: 200,
      body: { destination: destination.name, routes: [...routes.entries()].map(([p, r]) => `${r.method} ${p}`) }
    })
  })
  return routes
}

export interface PreparedServer {
  server: http.Server
  /** `METHOD /path` of every route. */
  routes: string[]
  destination: Destination<unknown>
  config: ConfigFile
}

/**
 * Builds the HTTP server (not listening yet). The config is checked against the destination first
 * (actions exist, settings valid, FQL parses), so a bad config fails here and not per request.
 */
export async function createServer(options: ServerOptions = {}): Promise<PreparedServer> {
  const definition = options.definition ?? (ownDefinition as DestinationDefinition<unknown>)
  const destination = new Destination(definition)
  const config = withFieldDefaults(options.config ?? defaultConfig(), definition)
  await verifyConfig(destination, config)
  const routes = buildRoutes(definition, destination, config)
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
      const known = [...routes.entries()].map(([p, r]) => `${r.method} ${p}`).join(', ')
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

  const routeList = [...routes.entries()].map(([p, r]) => `${r.method} ${p}`)
  return { server, routes: routeList, destination, config }
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
