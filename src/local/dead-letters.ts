/**
 * The dead-letter topic: an event that failed permanently (a 4xx from the destination: too large, bad
 * partition, a mapping that does not fit...) is written there whole, as JSON keyed by `deadLetterKey`, with
 * headers naming the error code, status, message, subscription, write-key name and time. It goes through
 * the destination's own `send` action (the same pooled producer and settings as every other event).
 */
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import { mappingWithDefaults } from './config-file'
import { failedResult, nodeResult, type EventResult } from './results'
import type { LocalRunner } from './startup'

export interface DeadLetter {
  event: SegmentEvent
  subscription: string
  writeKey: string
  failure: EventResult
}

export const DEAD_LETTER_HEADERS = {
  code: 'x-error-code',
  status: 'x-error-status',
  message: 'x-error-message',
  subscription: 'x-subscription',
  writeKey: 'x-write-key-name',
  time: 'x-failed-at'
} as const

/**
 * The record key of a dead letter, the same rule on every route: the event's `messageId` (the tracking API
 * gives every event one); an event without one (only `/events` takes those, as a runtime sends them) is keyed
 * as the send action keys it by default, by `userId`, else `anonymousId`; else no key.
 */
export function deadLetterKey(event: SegmentEvent): string | undefined {
  for (const value of [event.messageId, event.userId, event.anonymousId])
    if (typeof value === 'string' && value !== '') return value
  return undefined
}

/** Kafka headers are small; a long error message is cut. */
const MAX_MESSAGE_CHARS = 1000

export class DeadLetters {
  private readonly mapping: JSONObject

  constructor(
    private readonly runner: LocalRunner,
    readonly topic: string
  ) {
    const at = (path: string): JSONObject => ({ '@path': path })
    const headers: JSONObject = {}
    for (const [field, header] of Object.entries(DEAD_LETTER_HEADERS)) headers[header] = at(`$.error.${field}`)
    this.mapping = mappingWithDefaults(runner.definition, 'send', {
      topic,
      key: at('$.key'),
      payload: at('$.event'),
      headers,
      timestamp: at('$.error.time')
    })
  }

  /** Writes the letters; one result per letter (ok when Kafka acknowledged it). */
  async write(letters: DeadLetter[]): Promise<EventResult[]> {
    if (letters.length === 0) return []
    const time = new Date().toISOString()
    const events = letters.map(({ event, subscription, writeKey, failure }) => ({
      event,
      key: deadLetterKey(event),
      error: {
        code: failure.code ?? 'UNKNOWN',
        status: String(failure.status),
        message: (failure.message ?? '').slice(0, MAX_MESSAGE_CHARS),
        subscription,
        writeKey,
        time
      }
    })) as unknown as SegmentEvent[]
    try {
      const nodes = await this.runner.destination.executeBatch('send', {
        events,
        mapping: this.mapping,
        settings: this.runner.config.settings
      })
      return nodes.map(nodeResult)
    } catch (error) {
      const failed = failedResult(error)
      return letters.map(() => failed)
    }
  }
}
