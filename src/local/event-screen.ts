/**
 * The events of the runtime routes (`/events` and an action's `payload` array), screened one by one
 * before delivery: the shape limits (event-limits.ts) for all, and for raw Segment events (`/events`)
 * also `writeKey` removed (it is never stored in a record) and the `timestamp` checked. An event that
 * fails is refused alone, with a 400 naming the field; the others go on.
 */
import { checkTimestamp } from './complete-event'
import { checkEventLimits, InvalidEvent } from './event-limits'
import type { ServerLimits } from './server-limits'

export interface Screened<T> {
  /** The events that passed, with their index in the request. */
  passed: { index: number; event: T }[]
  /** The refused ones: their index and the InvalidEvent. */
  refused: { index: number; error: InvalidEvent }[]
}

export function screenEvents<T>(
  events: readonly unknown[],
  at: (index: number) => string,
  limits: Required<ServerLimits>,
  segmentEvents: boolean
): Screened<T> {
  const now = Date.now()
  const screened: Screened<T> = { passed: [], refused: [] }
  events.forEach((raw, index) => {
    try {
      checkEventLimits(raw, at(index), limits)
      let event = raw as Record<string, unknown>
      if (segmentEvents) {
        checkTimestamp(event, at(index), now, limits.maxFutureTimestampMs)
        if ('writeKey' in event) {
          event = { ...event }
          delete event.writeKey
        }
      }
      screened.passed.push({ index, event: event as T })
    } catch (error) {
      if (!(error instanceof InvalidEvent)) throw error
      screened.refused.push({ index, error })
    }
  })
  return screened
}

/** The results in request order: the delivered ones where they passed, a failure where refused. */
export function inRequestOrder<R>(
  screened: Screened<unknown>,
  results: R[],
  refusedResult: (error: InvalidEvent) => R
): R[] {
  const out = new Array<R>(screened.passed.length + screened.refused.length)
  screened.passed.forEach((p, i) => (out[p.index] = results[i]))
  for (const r of screened.refused) out[r.index] = refusedResult(r.error)
  return out
}
