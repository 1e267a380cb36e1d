/**
 * Completes an event the way Segment's tracking API does before it reaches destinations: a `messageId`
 * when missing, `receivedAt` (the server's clock), `sentAt` (the client's, from the event or its batch),
 * `originalTimestamp` (the client's `timestamp`) and `timestamp` corrected for the client's clock skew:
 * `receivedAt - (sentAt - originalTimestamp)`. `context` (with `context.library`) is kept as sent. Dates are
 * checked as they are read: docs/gateway-limits.md#timestamps has the rules.
 */
import { randomUUID } from 'node:crypto'
import type { SegmentEvent } from '@segment/actions-core'
import { InvalidEvent } from './event-limits'

export interface BatchEnvelope {
  /** The batch's `sentAt`, when the event has none of its own. */
  sentAt?: string
  /** The batch's `context` and `integrations`: under each event's own (the event's win). */
  context?: Record<string, unknown>
  integrations?: Record<string, unknown>
}

/** The latest instant an ISO 8601 date with a four-digit year can name. */
const MAX_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

export interface TimestampRules {
  /** How far ahead of `receivedAt` a (corrected) timestamp may be; beyond it, it becomes `receivedAt`. */
  maxFutureMs?: number
  /** The event's place in the request, for messages (`body`, `batch[2]`). */
  at?: string
  /** Receives one sentence per timestamp corrected, for the answer. */
  corrections?: string[]
}

/** The last `receivedAt` as ISO text: a request completes all its events with one Date, formatted once. */
let lastReceived: { at: Date; iso: string } | undefined

function receivedText(at: Date): string {
  if (lastReceived?.at !== at) lastReceived = { at, iso: at.toISOString() }
  return lastReceived.iso
}

/** How an ISO 8601 date starts: a year (four digits, or six with a sign), a month and a day. */
const DATE_START = /^([+-]\d{6}|\d{4})-\d{2}-\d{2}/

const shown = (value: unknown): string => JSON.stringify(value).slice(0, 80)

/** A client's date in milliseconds: undefined when absent; a 400 naming the field when it is not a date. */
function time(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  // A date first (V8 alone would also read `1` or `May 1` as dates), then V8's parser for the rest.
  const t = typeof value === 'string' && DATE_START.test(value) ? Date.parse(value) : NaN
  if (!Number.isFinite(t))
    throw new InvalidEvent(
      `invalid event: ${field} ${shown(value)} is not a date (ISO 8601, e.g. 2024-05-01T12:00:00.000Z)`
    )
  if (t < 0 || t > MAX_ISO_MS) throw new InvalidEvent(`invalid event: ${field} ${shown(value)} ${outOfRange(t)}`)
  return t
}

function outOfRange(t: number): string {
  return t < 0
    ? 'is before 1970-01-01T00:00:00Z, the earliest time a Kafka record timestamp can hold'
    : 'is after 9999-12-31T23:59:59.999Z, the latest an ISO 8601 date can name'
}

/**
 * A raw event's `timestamp` (as a runtime sends it, on `/events`: nothing is completed there): a date a
 * Kafka record can carry, no further ahead of `now` than `maxFutureMs`; else an InvalidEvent naming it.
 */
export function checkTimestamp(event: Record<string, unknown>, at: string, now: number, maxFutureMs: number): void {
  const t = time(event.timestamp, `${at}.timestamp`)
  if (t !== undefined && t - now > maxFutureMs) {
    throw new InvalidEvent(
      `invalid event: ${at}.timestamp ${shown(event.timestamp)} is ${Math.round((t - now) / 1000)} s ahead of the server's clock ` +
        `(more than ${Math.round(maxFutureMs / 1000)} s, server.maxFutureTimestampMs): Kafka would refuse it`
    )
  }
}

/**
 * Completes one event. A `timestamp` or `sentAt` that is not a date, or that names a time a Kafka record
 * cannot carry, is an InvalidEvent (a 400 naming the field); a timestamp further ahead of the server's
 * clock than `maxFutureMs` (after the skew correction) is replaced by `receivedAt`, and said so in
 * `corrections`. `originalTimestamp` always keeps what the client sent.
 */
export function completeEvent(
  event: Record<string, unknown>,
  receivedAt: Date,
  envelope: BatchEnvelope = {},
  rules: TimestampRules = {}
): SegmentEvent {
  const at = rules.at ?? 'body'
  const received = receivedAt.getTime()
  const sentAt = time(event.sentAt, `${at}.sentAt`) ?? time(envelope.sentAt, 'body.sentAt')
  const original = time(event.timestamp, `${at}.timestamp`)

  const out: Record<string, unknown> = { ...event }
  delete out.writeKey
  if (typeof out.messageId !== 'string' || !out.messageId) out.messageId = `api-${randomUUID()}`
  if (envelope.context) out.context = { ...envelope.context, ...((out.context as object | undefined) ?? {}) }
  if (envelope.integrations)
    out.integrations = { ...envelope.integrations, ...((out.integrations as object | undefined) ?? {}) }

  out.receivedAt = receivedText(receivedAt)
  if (sentAt !== undefined) out.sentAt = new Date(sentAt).toISOString()
  if (original === undefined) {
    out.timestamp = out.receivedAt
    return out as unknown as SegmentEvent
  }
  out.originalTimestamp = new Date(original).toISOString()
  let corrected = sentAt === undefined ? original : received - (sentAt - original)
  if (corrected < 0 || corrected > MAX_ISO_MS) {
    throw new InvalidEvent(
      `invalid event: ${at}.timestamp ${shown(event.timestamp)} corrected for the client's clock ` +
        `(receivedAt - (sentAt - timestamp)) ${outOfRange(corrected)}`
    )
  }
  const maxFutureMs = rules.maxFutureMs ?? Infinity
  if (corrected - received > maxFutureMs) {
    rules.corrections?.push(
      `${at}.timestamp ${shown(event.timestamp)} is ${Math.round((corrected - received) / 1000)} s ahead of the server's clock ` +
        `(more than ${Math.round(maxFutureMs / 1000)} s): replaced by receivedAt; originalTimestamp keeps it`
    )
    corrected = received
  }
  out.timestamp = new Date(corrected).toISOString()
  return out as unknown as SegmentEvent
}
