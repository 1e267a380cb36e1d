/**
 * Segment's HTTP tracking API, so that the official SDKs work with only their host pointed here:
 * `POST /v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/group`, `/v1/alias`, `/v1/batch` and
 * `/v1/import` (its alias), and the browser SDK's short paths for them (`/v1/t`, `/v1/i`, `/v1/p`,
 * `/v1/s`, `/v1/g`, `/v1/a`: the type's first letter; `/v1/b` for its batching mode). Events are completed as Segment's API completes them, then go through the
 * subscriptions. The answer is `{ "success": true }` (200) only once Kafka acknowledged every event or it
 * is in the dead-letter topic; 503 when an event may be retried (the SDKs retry); 400 when an event failed
 * for good and there is no dead-letter topic to keep it.
 */
import type { SegmentEvent } from '@segment/actions-core'
import { completeEvent } from './complete-event'
import type { ServerContext } from './context'
import type { DeliveryReport } from './deliver-events'
import type { Reply, RouteRequest, Routes } from './route'
import { checkEventLimits, InvalidEvent } from './event-limits'
import { limitsOf } from './server-limits'
import { CALL_TYPES, checkBatch, checkCall, eventProblem } from './tracking-schemas'

/** Events refused before delivery (limits, fields, dates), by their place in the request. */
interface Refused {
  index: number
  message: string
}

const MAX_LISTED = 100

function answer(report: DeliveryReport, total: number, refused: Refused[] = [], corrected: string[] = []): Reply {
  const rejected = report.rejected + refused.length
  const firstRejected = refused[0]?.message ?? report.firstRejected
  const listed = refused.length ? { invalid: refused.slice(0, MAX_LISTED) } : {}
  if (report.retryable > 0) {
    return {
      status: 503,
      body: {
        success: false,
        ok: false,
        error: {
          status: 503,
          code: 'NOT_ACKNOWLEDGED',
          message: `${report.retryable} of ${total} events were not acknowledged by Kafka and may be retried: ${report.firstRetryable}`
        },
        ...listed
      }
    }
  }
  if (rejected > 0) {
    return {
      status: 400,
      body: {
        success: false,
        ok: false,
        error: {
          status: 400,
          code: 'REJECTED',
          message: `${rejected} of ${total} events failed and cannot succeed as sent: ${firstRejected}`
        },
        ...listed
      }
    }
  }
  return {
    status: 200,
    body: { success: true, ...(corrected.length ? { corrected: corrected.slice(0, MAX_LISTED) } : {}) }
  }
}

export function trackingRoutes(context: ServerContext, routes: Routes): void {
  const limits = limitsOf(context.runner.config.server)
  const deliver = async (events: SegmentEvent[], request: RouteRequest, single: boolean): Promise<DeliveryReport> => {
    if (events.length === 0) return { outcomes: [], retryable: 0, rejected: 0, deadLettered: 0 }
    const release = context.admission.reserve(events.length)
    try {
      return await context.delivery.deliver(events, request.caller, request.path, single)
    } finally {
      release()
    }
  }

  for (const type of CALL_TYPES) {
    const route = {
      method: 'POST' as const,
      access: 'writeKey' as const,
      emptyBodyOk: false,
      browser: true,
      handler: async (raw: unknown, request: RouteRequest) => {
        const receivedAt = new Date()
        // The limits before anything recurses into the event; a failure is a 400 naming the field.
        checkEventLimits(raw, 'body', limits)
        const corrections: string[] = []
        const rules = { maxFutureMs: limits.maxFutureTimestampMs, corrections }
        const event = completeEvent(checkCall(type, raw), receivedAt, {}, rules)
        return answer(await deliver([event], request, true), 1, [], corrections)
      }
    }
    routes.set(`/v1/${type}`, route)
    routes.set(`/v1/${type.charAt(0)}`, route)
  }

  const batch = {
    method: 'POST' as const,
    access: 'writeKey' as const,
    emptyBodyOk: false,
    browser: true,
    handler: async (raw: unknown, request: RouteRequest) => {
      const receivedAt = new Date()
      const body = checkBatch(raw)
      // What the batch gives every event is checked once, for the whole request.
      checkEventLimits({ context: body.context, integrations: body.integrations }, 'body', limits)
      const envelope = { sentAt: body.sentAt, context: body.context, integrations: body.integrations }
      const corrections: string[] = []
      const refused: Refused[] = []
      const events: SegmentEvent[] = []
      body.batch.forEach((event, index) => {
        const at = `batch[${index}]`
        try {
          checkEventLimits(event, at, limits)
          const problem = eventProblem(event, at)
          if (problem) throw new InvalidEvent(`invalid event: ${problem}`)
          const rules = { maxFutureMs: limits.maxFutureTimestampMs, at, corrections }
          events.push(completeEvent(event, receivedAt, envelope, rules))
        } catch (error) {
          // One bad event fails alone; the others are delivered.
          if (!(error instanceof InvalidEvent)) throw error
          refused.push({ index, message: error.message })
        }
      })
      const report = await deliver(events, request, false)
      return answer(report, body.batch.length, refused, corrections)
    }
  }
  routes.set('/v1/batch', batch)
  routes.set('/v1/import', batch)
  routes.set('/v1/b', batch)
}
