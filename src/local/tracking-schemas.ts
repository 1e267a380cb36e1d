/**
 * The request bodies of Segment's tracking API (`/v1/track`, `/identify`, `/page`, `/screen`, `/group`,
 * `/alias`, `/batch`) as ajv schemas compiled once (a batch's events one by one), with what each call type requires (Segment's spec):
 * `event` for track, `groupId` for group, `previousId` and `userId` for alias, and `userId` or
 * `anonymousId` for the others. A failure is a 400 naming the field.
 */
import Ajv from 'ajv'
import { RequestError, describeErrors } from './http-io'
import { MAX_EVENTS_PER_REQUEST } from './request-schemas'

export const CALL_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const
export type CallType = (typeof CALL_TYPES)[number]

// Optional fields may be null: the SDKs send what they were not given as null (Python: anonymousId, category).
const object = { type: ['object', 'null'] } as const
const id = { type: ['string', 'number', 'null'] } as const
const text = { type: ['string', 'null'] } as const

const eventProperties = {
  type: { enum: CALL_TYPES },
  userId: id,
  anonymousId: id,
  messageId: text,
  timestamp: text,
  sentAt: text,
  context: object,
  integrations: object,
  properties: object,
  traits: object,
  event: { type: 'string', minLength: 1 },
  name: text,
  category: text,
  groupId: id,
  previousId: id,
  writeKey: text
} as const

const perType = [
  { type: 'track', required: ['event'] },
  { type: 'group', required: ['groupId'] },
  { type: 'alias', required: ['previousId', 'userId'] }
].map(({ type, required }) => ({ if: { properties: { type: { const: type } } }, then: { required } }))

const eventSchema = { type: 'object', required: ['type'], properties: eventProperties, allOf: perType } as const

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true })
const validateEvent = ajv.compile(eventSchema)
// The batch's own fields; its events are checked one by one (eventProblem), so that one bad event fails alone.
const validateBatch = ajv.compile({
  type: 'object',
  required: ['batch'],
  properties: {
    batch: { type: 'array', minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST },
    sentAt: text,
    context: object,
    integrations: object,
    writeKey: text
  }
})

export interface TrackingBatch {
  batch: Record<string, unknown>[]
  sentAt?: string
  context?: Record<string, unknown>
  integrations?: Record<string, unknown>
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== ''

/** Segment's identity rule, which JSON schema says clumsily: alias has its own; the rest need an id. */
function identityProblem(event: Record<string, unknown>, at: string): string | undefined {
  if (event.type === 'alias') return undefined
  if (present(event.userId) || present(event.anonymousId)) return undefined
  return `${at}: userId or anonymousId is required`
}

function invalid(message: string): RequestError {
  return new RequestError(400, 'INVALID_REQUEST', `invalid request: ${message}`)
}

/** One call's body; its type is the route's (a `type` in the body must agree). */
export function checkCall(type: CallType, body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('body must be object')
  const given = (body as { type?: unknown }).type
  if (given !== undefined && given !== type) throw invalid(`body.type is '${String(given)}' on the /v1/${type} route`)
  const event = { ...(body as Record<string, unknown>), type }
  if (!validateEvent(event)) throw invalid(describeErrors(validateEvent.errors))
  const problem = identityProblem(event, 'body')
  if (problem) throw invalid(problem)
  return event
}

/** A `/v1/batch` (or `/v1/import`) body: its own fields; each event is checked by `eventProblem`. */
export function checkBatch(body: unknown): TrackingBatch {
  if (!validateBatch(body)) throw invalid(describeErrors(validateBatch.errors))
  return body as unknown as TrackingBatch
}

/** What is wrong with one event of a batch (`at`: `batch[2]`), naming the field; undefined when nothing. */
export function eventProblem(event: unknown, at: string): string | undefined {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return `${at} must be object`
  if (!validateEvent(event)) {
    return describeErrors(validateEvent.errors)
      .split('; ')
      .map((line) => `${at}.${line}`)
      .join('; ')
  }
  return identityProblem(event as unknown as Record<string, unknown>, at)
}
