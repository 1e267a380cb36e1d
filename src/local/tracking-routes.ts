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
import { CALL_TYPES, checkBatch, checkCall } from './tracking-schemas'

function answer(report: DeliveryReport, total: number): Reply {
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
        }
      }
    }
  }
  if (report.rejected > 0) {
    return {
      status: 400,
      body: {
        success: false,
        ok: false,
        error: {
          status: 400,
          code: 'REJECTED',
          message: `${report.rejected} of ${total} events failed and cannot succeed as sent: ${report.firstRejected}`
        }
      }
    }
  }
  return { status: 200, body: { success: true } }
}

export function trackingRoutes(context: ServerContext, routes: Routes): void {
  const deliver = async (events: SegmentEvent[], request: RouteRequest, single: boolean): Promise<Reply> => {
    const release = context.admission.reserve(events.length)
    try {
      const report = await context.delivery.deliver(events, request.caller, request.path, single)
      return answer(report, events.length)
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
        return deliver([completeEvent(checkCall(type, raw), receivedAt)], request, true)
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
      const envelope = { sentAt: body.sentAt, context: body.context, integrations: body.integrations }
      return deliver(
        body.batch.map((e) => completeEvent(e, receivedAt, envelope)),
        request,
        false
      )
    }
  }
  routes.set('/v1/batch', batch)
  routes.set('/v1/import', batch)
  routes.set('/v1/b', batch)
}
