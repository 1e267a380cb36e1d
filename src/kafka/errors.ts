/**
 * The one mapping from errors raised while talking to Kafka to actions-core errors (through the table
 * in error-table.ts), and what the rest of the code may ask about a kafkajs error without seeing kafkajs.
 */
import {
  KafkaJSAggregateError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError
} from 'kafkajs'
import { redact } from '../connection-identity'
import { isActionError } from '../errors'
import { TOO_LARGE } from './error-names'
import { ROWS, type ErrorContext, type ErrorLike, type Row } from './error-table'

export { ROWS, type ErrorContext, type RowId } from './error-table'

/**
 * kafkajs wraps the real cause after its retries (and when it gives up on an error it will not
 * retry, e.g. one thrown by an authentication provider); the cause says what went wrong.
 */
export function rootCause(error: unknown): unknown {
  let e = error
  for (let i = 0; i < 5; i++) {
    if ((e instanceof KafkaJSNumberOfRetriesExceeded || e instanceof KafkaJSNonRetriableError) && e.cause) e = e.cause
    else if (e instanceof KafkaJSAggregateError && e.errors.length) e = e.errors[0]
    else break
  }
  return e
}

/** The Kafka protocol error type (e.g. `MESSAGE_TOO_LARGE`) of an error or of a cause it wraps. */
export function protocolType(error: unknown): string | undefined {
  let e: unknown = error
  for (let i = 0; i < 3 && e; i++) {
    if (e instanceof KafkaJSProtocolError) return e.type
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** True when the broker refused a request as too large (`MESSAGE_TOO_LARGE`, `RECORD_LIST_TOO_LARGE`). */
export function isTooLarge(error: unknown): boolean {
  return TOO_LARGE.includes(protocolType(error) ?? '')
}

/** The broker a connection error names (as kafkajs reports it), if any. */
export function brokerOfError(error: unknown): string | undefined {
  const broker = (rootCause(error) as { broker?: unknown } | null | undefined)?.broker
  return typeof broker === 'string' ? broker : undefined
}

function toErrorLike(error: unknown): ErrorLike {
  if (error instanceof Error) return error
  return Object.assign(new Error(typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error))), {
    name: 'NonError'
  })
}

/** The row that handles an error. */
export function rowFor(error: unknown): Row {
  const e = toErrorLike(rootCause(error))
  return ROWS.find((row) => row.match(e)) as Row
}

/** Maps any error thrown while talking to Kafka to the actions-core error that says what to do. */
export function toActionError(error: unknown, context: ErrorContext = {}): Error {
  const cause = rootCause(error)
  if (isActionError(cause)) {
    cause.message = redact(cause.message, context.settings)
    return cause
  }
  const e = toErrorLike(cause)
  const row = ROWS.find((r) => r.match(e)) as Row
  const mapped = row.map(e, context)
  mapped.message = redact(mapped.message, context.settings)
  return mapped
}
