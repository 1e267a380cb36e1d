/**
 * What keeps one request's failure that request's alone: a request id for every answer and log line,
 * the rule that tells an unexpected error (a bug: answered 500 with the request id only, logged, counted)
 * from an expected one (a RequestError or a destination error with its own status), and the process's
 * last-resort handlers for what escapes every request (see `installLastResort`).
 */
import { randomUUID } from 'node:crypto'
import { RequestError } from './http-io'
import type { Logger } from './logger'
import { failedResult } from './results'

/** A request's id: in its `x-request-id` answer header, its log lines and a 500's body. */
export function nextRequestId(): string {
  return randomUUID()
}

/** True for an error nobody meant to throw at a client: no RequestError, no status of its own. */
export function isUnexpected(error: unknown): boolean {
  if (error instanceof RequestError) return false
  const status = (error as { status?: unknown } | null | undefined)?.status
  return typeof status !== 'number' && failedResult(error).status === 500
}

const MAX_LOGGED_CHARS = 500

/** An unexpected error for the log: its type, message and the top of its stack, cut short. */
export function describeUnexpected(error: unknown): { type: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error).slice(0, MAX_LOGGED_CHARS) }
  const stack = error.stack?.split('\n').slice(1, 6).join('\n')
  return { type: error.name, message: error.message.slice(0, MAX_LOGGED_CHARS), ...(stack ? { stack } : {}) }
}

export interface LastResort {
  logger: Logger
  /** Counts what reached the handlers (`where`: uncaught_exception or unhandled_rejection). */
  count: (where: 'uncaught_exception' | 'unhandled_rejection') => void
  /** Drains the server (answers what is in flight, refuses the rest); the process then exits 1. */
  drain: () => Promise<void>
}

/**
 * The process's last resort, for what escaped every request's guard (so, never a client's input: each
 * request is wrapped in the server's listener).
 *
 * - An unhandled promise rejection is logged and counted, and the server keeps serving: a promise that
 *   nobody awaited rejected (typically a background task such as a producer's reconnect); no code was
 *   stopped halfway, so the server's own state is as its code left it.
 * - An uncaught exception is logged and counted, then the server drains and the process exits 1 for its
 *   supervisor to restart it: a callback threw halfway through whatever it was doing, outside any
 *   request, so the state it was changing (a producer, a socket, a counter) is unknown, and Node's own
 *   documentation says resuming after `uncaughtException` is not safe. Draining first still answers the
 *   requests in flight; a second exception while draining exits at once.
 */
export function installLastResort({ logger, count, drain }: LastResort): void {
  let draining = false
  process.on('unhandledRejection', (reason) => {
    count('unhandled_rejection')
    logger.error({ err: describeUnexpected(reason) }, 'unhandled promise rejection (the server keeps serving)')
  })
  process.on('uncaughtException', (error) => {
    count('uncaught_exception')
    logger.fatal({ err: describeUnexpected(error) }, 'uncaught exception: draining, then exiting with status 1')
    if (draining) process.exit(1)
    draining = true
    drain().then(
      () => process.exit(1),
      () => process.exit(1)
    )
  })
}
