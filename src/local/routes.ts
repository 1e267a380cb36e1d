/**
 * The server's routes: those of Segment's local destination server (`GET /manifest`,
 * `POST /authenticate`, `POST /<action>`, `POST /<action>/<dynamic field>`) plus `POST /events`, which
 * runs raw Segment events through the config's subscriptions the way a runtime does.
 */
import type { DynamicFieldResponse, JSONObject, SegmentEvent } from '@segment/actions-core'
import { mappingWithDefaults, settingsWithDefaults } from './config-file'
import { check, errorResponse } from './http-io'
import { requestSchemas as schemas } from './request-schemas'
import { lastData, nodeResult } from './results'
import type { LocalRunner } from './startup'
import { runBatch, runEvent } from './subscriptions'
import { summarise } from './summary'

export type Handler = (body: unknown) => Promise<{ status: number; body: unknown }>

export interface Route {
  method: 'GET' | 'POST'
  /** An empty body counts as `{}` (routes whose fields are all optional). */
  emptyBodyOk: boolean
  handler: Handler
}

/** `METHOD /path` of every route. */
export function describeRoutes(routes: Map<string, Route>): string[] {
  return [...routes.entries()].map(([p, r]) => `${r.method} ${p}`)
}

export function buildRoutes({ definition, destination, config }: LocalRunner): Map<string, Route> {
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
          const results = nodes.map(nodeResult)
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
      body: { destination: destination.name, routes: describeRoutes(routes) }
    })
  })
  return routes
}
