/**
 * One event's shape limits, checked before anything recurses into it (the mapping engine, JSON.stringify,
 * the encoders all recurse, and an event nested a few thousand levels deep overflows their stack): the
 * nesting depth of its objects and arrays and its size as JSON text, walked once, iteratively, stopping
 * at the first limit passed. V8's JSON.parse does not recurse, so a parsed body is safe to walk.
 */
import { RequestError } from './http-io'

export interface EventLimits {
  maxEventDepth: number
  maxEventBytes: number
}

/** An event that cannot be taken as sent: a 400 naming the field (`batch[2].properties`). */
export class InvalidEvent extends RequestError {
  constructor(message: string) {
    super(400, 'INVALID_EVENT', message)
  }
}

/** JSON text length of a primitive (strings without their escapes: close enough for a limit). */
function primitiveSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2
  if (typeof value === 'number') return String(value).length
  if (typeof value === 'boolean') return value ? 4 : 5
  return 4 // null; undefined does not come out of JSON.parse
}

/**
 * The first limit `event` passes, as a message naming the field under `at` (e.g. `batch[2]`), or
 * undefined. Depth: the event itself is level 1, `properties` level 2, and so on.
 */
export function eventLimitProblem(event: unknown, at: string, limits: EventLimits): string | undefined {
  // Each entry: a value, its depth and the top-level field it is under (for the message).
  const stack: { value: unknown; depth: number; field: string }[] = [{ value: event, depth: 1, field: '' }]
  let size = 0
  while (stack.length > 0) {
    const { value, depth, field } = stack.pop()!
    if (value === null || typeof value !== 'object') {
      size += primitiveSize(value)
    } else {
      if (depth > limits.maxEventDepth) {
        return `${at}${field ? `.${field}` : ''} is nested deeper than ${limits.maxEventDepth} levels (server.maxEventDepth)`
      }
      // Brackets and separators counted before the children are pushed, so a huge array stops here.
      const keys = Array.isArray(value) ? undefined : Object.keys(value)
      size += 2 + (keys ?? (value as unknown[])).length
      if (size > limits.maxEventBytes) return tooLarge(at, limits)
      if (keys === undefined) {
        for (const item of value as unknown[]) stack.push({ value: item, depth: depth + 1, field })
      } else {
        for (const key of keys) {
          size += key.length + 3
          stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, field: field || key })
        }
      }
    }
    if (size > limits.maxEventBytes) return tooLarge(at, limits)
  }
  return undefined
}

const tooLarge = (at: string, limits: EventLimits): string =>
  `${at} is larger than ${limits.maxEventBytes} bytes of JSON (server.maxEventBytes)`

/** Throws InvalidEvent for an event beyond the limits. */
export function checkEventLimits(event: unknown, at: string, limits: EventLimits): void {
  const problem = eventLimitProblem(event, at, limits)
  if (problem) throw new InvalidEvent(`invalid event: ${problem}`)
}
