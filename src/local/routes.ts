/**
 * The runtime routes: those of Segment's local destination server (`GET /manifest`, `POST /authenticate`,
 * `POST /<action>`, `POST /<action>/<dynamic field>`), which take settings or reveal the cluster (admin
 * token), plus `POST /events`, which runs raw Segment events through the config's subscriptions the way a
 * runtime does (write key).
 */
import type { DynamicFieldResponse, JSONObject, SegmentEvent } from '@segment/actions-core'
import { mappingWithDefaults, settingsWithDefaults } from './config-file'
import type { ServerContext } from './context'
import { check, errorResponse, RequestError } from './http-io'
import { requestSchemas as schemas } from './request-schemas'
import { checkEventLimits, type InvalidEvent } from './event-limits'
import { inRequestOrder, screenEvents } from './event-screen'
import { lastData, nodeResult, type EventResult } from './results'
import { describeRoutes, type Routes } from './route'
import { limitsOf } from './server-limits'
import { summarise, type EventOutcome } from './summary'

const refusedResult = (error: InvalidEvent): EventResult => ({
  ok: false,
  status: error.status,
  code: error.code,
  message: error.message
})
const refusedOutcome = (error: InvalidEvent): EventOutcome => ({
  status: 'failed',
  deliveries: [{ subscription: '(none: refused before the subscriptions)', ...refusedResult(error) }]
})

export function runtimeRoutes(context: ServerContext, routes: Routes): void {
  const limits = limitsOf(context.runner.config.server)
  const { definition, destination, config } = context.runner
  // Settings given in a request get the settings fields' defaults under them; none given: the config's.
  const settingsOr = (given: JSONObject | undefined): JSONObject => {
    if (!given) return { ...config.settings }
    if (!context.allowRequestSettings) {
      throw new RequestError(
        403,
        'SETTINGS_NOT_ALLOWED',
        "this server does not take settings in requests (the config file's server.allowRequestSettings); leave them out to use the config's"
      )
    }
    return settingsWithDefaults(definition, given)
  }

  routes.set('/manifest', {
    method: 'GET',
    access: 'admin',
    emptyBodyOk: true,
    handler: async () => ({ status: 200, body: destination.definition })
  })

  routes.set('/authenticate', {
    method: 'POST',
    access: 'admin',
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
      access: 'admin',
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
          // Each payload within the limits, or refused alone (400 naming it); the others are sent.
          const screened = screenEvents<SegmentEvent>(body.payload, (i) => `payload[${i}]`, limits, false)
          const events = screened.passed.map((p) => p.event)
          const release = context.admission.reserve(events.length)
          try {
            const nodes = events.length ? await destination.executeBatch(slug, { events, mapping, settings, auth }) : []
            const results = inRequestOrder(screened, nodes.map(nodeResult), refusedResult)
            return { status: 200, body: { ok: results.every((r) => r.ok), results } }
          } finally {
            release()
          }
        }
        checkEventLimits(body.payload, 'payload', limits)
        const release = context.admission.reserve(1)
        try {
          const results = await destination.actions[slug].execute({ data: body.payload, mapping, settings, auth })
          return { status: 200, body: { ok: true, data: lastData(results) ?? null } }
        } finally {
          release()
        }
      }
    })

    const dynamicFields = destination.actions[slug].definition.dynamicFields ?? {}
    for (const [field, fn] of Object.entries(dynamicFields)) {
      if (typeof fn !== 'function') continue
      routes.set(`/${slug}/${field}`, {
        method: 'POST',
        access: 'admin',
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
    access: 'writeKey',
    emptyBodyOk: false,
    handler: async (raw, { caller, path }) => {
      const body = check<SegmentEvent | SegmentEvent[]>(schemas.events, raw)
      const single = !Array.isArray(body)
      const screened = screenEvents<SegmentEvent>(
        single ? [body] : body,
        (i) => (single ? 'body' : `body[${i}]`),
        limits,
        true
      )
      if (single && screened.refused.length) throw screened.refused[0].error
      const events = screened.passed.map((p) => p.event)
      const release = context.admission.reserve(events.length)
      try {
        const delivered = events.length ? await context.delivery.deliver(events, caller, path, single) : undefined
        const outcomes = inRequestOrder(screened, delivered?.outcomes ?? [], refusedOutcome)
        if (!single) {
          const summary = summarise(outcomes)
          return { status: 200, body: { ok: summary.failed === 0, summary, results: outcomes } }
        }
        const [result] = outcomes
        const failed = result.deliveries.find((d) => !d.ok)
        return { status: failed ? failed.status : 200, body: { ok: !failed, ...result } }
      } finally {
        release()
      }
    }
  })

  routes.set('/', {
    method: 'GET',
    access: 'open',
    emptyBodyOk: true,
    handler: async () => ({
      status: 200,
      body: { destination: destination.name, routes: describeRoutes(routes) }
    })
  })
}
