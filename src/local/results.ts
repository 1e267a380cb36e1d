/**
 * The one mapping from what actions-core answers (a thrown error, an action's results, a multistatus node)
 * to what the local runner reports per event: ok, status, and either the data the action returned (topic,
 * partition, offset) or the error's code and message. Shared by the server's routes and the subscriptions.
 */
import type { Result } from '@segment/actions-core'

export type MultiStatusNode = NonNullable<Result['multistatus']>[number]

export interface EventResult {
  ok: boolean
  status: number
  /** What the action returned for this event (e.g. topic, partition, offset). */
  data?: unknown
  code?: string
  message?: string
}

/** actions-core's fixed answer, inside a batch, for an event that a subscription's FQL does not match. */
const NOT_MATCHED = 'Payload is either invalid or does not match the subscription'

interface ErrorLike {
  message?: unknown
  status?: unknown
  code?: unknown
  name?: unknown
}

/** A thrown destination error as a failed result: its status (500 when it has none), code and message. */
export function failedResult(error: unknown): EventResult & { ok: false } {
  const e = (error ?? {}) as ErrorLike
  // A schema error thrown by actions-core outside `onEvent` carries no status; it is a bad payload.
  const schemaError = e.name === 'AggregateAjvError' || e.name === 'ValidationError'
  const status = typeof e.status === 'number' && e.status >= 400 && e.status <= 599 ? e.status : schemaError ? 400 : 500
  const code =
    typeof e.code === 'string'
      ? e.code
      : schemaError
        ? PAYLOAD_INVALID
        : typeof e.name === 'string'
          ? e.name
          : undefined
  const message = typeof e.message === 'string' && e.message ? e.message : String(error)
  return { ok: false, status, code, message }
}

/** actions-core's code for a payload its schema refuses, in a batch's multistatus; used for one event too. */
const PAYLOAD_INVALID = 'PAYLOAD_VALIDATION_FAILED'

/**
 * One node of a batch's multistatus as a result. Our own code travels in the node's `body.code` (the send
 * action puts it there: actions-core's `errortype` only takes its own vocabulary), so a batch reports the
 * same code as a single event, whose thrown error carries it as `code`; `errortype` is the fallback for
 * nodes actions-core writes itself (e.g. a payload its schema refuses).
 */
export function nodeResult(node: MultiStatusNode): EventResult {
  if ('errormessage' in node) {
    const own = typeof node.body === 'object' && node.body !== null ? (node.body as { code?: unknown }).code : undefined
    return {
      ok: false,
      status: node.status,
      code: typeof own === 'string' ? own : node.errortype,
      message: node.errormessage
    }
  }
  return { ok: node.status < 400, status: node.status, data: node.body }
}

/** True for the node actions-core puts in a batch for an event the subscription does not match. */
export function isNotMatched(node: MultiStatusNode): boolean {
  return node.status === 400 && 'errormessage' in node && node.errormessage === NOT_MATCHED
}

/** The data of a single event's results: the last one an action returned (mapping steps return none). */
export function lastData(results: Result[]): unknown {
  for (let i = results.length - 1; i >= 0; i--) if (results[i].data !== undefined) return results[i].data
  return undefined
}
