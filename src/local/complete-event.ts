/**
 * Completes an event the way Segment's tracking API does before it reaches destinations: a `messageId`
 * when missing, `receivedAt` (the server's clock), `sentAt` (the client's, from the event or its batch),
 * `originalTimestamp` (the client's `timestamp`) and `timestamp` corrected for the client's clock skew:
 * `receivedAt - (sentAt - originalTimestamp)`. `context` (with `context.library`) is kept as sent.
 */
import { randomUUID } from 'node:crypto'
import type { SegmentEvent } from '@segment/actions-core'

export interface BatchEnvelope {
  /** The batch's `sentAt`, when the event has none of its own. */
  sentAt?: string
  /** The batch's `context` and `integrations`: under each event's own (the event's win). */
  context?: Record<string, unknown>
  integrations?: Record<string, unknown>
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined
  const t = new Date(value).getTime()
  return Number.isFinite(t) ? t : undefined
}

/** The last `receivedAt` as ISO text: a request completes all its events with one Date, formatted once. */
let lastReceived: { at: Date; iso: string } | undefined

function receivedText(at: Date): string {
  if (lastReceived?.at !== at) lastReceived = { at, iso: at.toISOString() }
  return lastReceived.iso
}

export function completeEvent(
  event: Record<string, unknown>,
  receivedAt: Date,
  envelope: BatchEnvelope = {}
): SegmentEvent {
  const out: Record<string, unknown> = { ...event }
  delete out.writeKey
  if (typeof out.messageId !== 'string' || !out.messageId) out.messageId = `api-${randomUUID()}`
  if (envelope.context) out.context = { ...envelope.context, ...((out.context as object | undefined) ?? {}) }
  if (envelope.integrations)
    out.integrations = { ...envelope.integrations, ...((out.integrations as object | undefined) ?? {}) }

  const received = receivedAt.getTime()
  const sentAt = time(out.sentAt) ?? time(envelope.sentAt)
  const original = time(out.timestamp)
  out.receivedAt = receivedText(receivedAt)
  if (sentAt !== undefined) out.sentAt = new Date(sentAt).toISOString()
  if (original === undefined) {
    out.timestamp = out.receivedAt
  } else {
    out.originalTimestamp = new Date(original).toISOString()
    const corrected = sentAt === undefined ? original : received - (sentAt - original)
    out.timestamp = new Date(corrected).toISOString()
  }
  return out as unknown as SegmentEvent
}
