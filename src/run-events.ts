/**
 * Runs raw Segment events through the config's subscriptions with the actions-core mapping engine
 * (`Destination.onEvent` for one event, `onBatch` for many) and folds what it answers into one outcome
 * per event: sent, failed (with status and reason) or not subscribed. Shared by the server and the CLI.
 */
import type { Destination, JSONObject, Result, SegmentEvent } from '@segment/actions-core'
import type { ConfigFile, SubscriptionConfig } from './config-file'

export interface Delivery {
  subscription: string
  ok: boolean
  status: number
  /** What the action returned for this event (e.g. topic, partition, offset). */
  data?: unknown
  code?: string
  message?: string
}

export interface EventOutcome {
  status: 'sent' | 'failed' | 'not subscribed'
  /** One entry per subscription the event matched. */
  deliveries: Delivery[]
}

/** actions-core's fixed answer, inside a batch, for an event that a subscription's FQL does not match. */
const NOT_MATCHED = 'Payload is either invalid or does not match the subscription'

interface ErrorLike {
  message?: unknown
  status?: unknown
  code?: unknown
  name?: unknown
}

/** A thrown destination error as a failed delivery: its status (500 when it has none), code and message. */
export function failedDelivery(subscription: string, error: unknown): Delivery {
  const e = (error ?? {}) as ErrorLike
  // A schema error thrown by actions-core outside `onEvent` carries no status; it is a bad payload.
  const schemaError = e.name === 'AggregateAjvError' || e.name === 'ValidationError'
  const status = typeof e.status === 'number' && e.status >= 400 && e.status <= 599 ? e.status : schemaError ? 400 : 500
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : undefined
  const message = typeof e.message === 'string' && e.message ? e.message : String(error)
  return { subscription, ok: false, status, code, message }
}

function settingsWith(config: ConfigFile, subscription: SubscriptionConfig): JSONObject {
  const { name, subscribe, partnerAction, mapping } = subscription
  return { ...config.settings, subscriptions: [{ name, subscribe, partnerAction, mapping }] }
}

function outcome(deliveries: Delivery[]): EventOutcome {
  if (deliveries.length === 0) return { status: 'not subscribed', deliveries }
  return { status: deliveries.every((d) => d.ok) ? 'sent' : 'failed', deliveries }
}

function lastData(results: Result[]): unknown {
  for (let i = results.length - 1; i >= 0; i--) if (results[i].data !== undefined) return results[i].data
  return undefined
}

/**
 * One event through every subscription. Each subscription runs on its own so that one failing
 * subscription neither hides nor undoes what another one delivered.
 */
export async function runEvent(
  destination: Destination<unknown>,
  config: ConfigFile,
  event: SegmentEvent
): Promise<EventOutcome> {
  const deliveries: Delivery[] = []
  for (const s of config.subscriptions) {
    try {
      const results = await destination.onEvent(event, settingsWith(config, s))
      if (results.length === 1 && results[0].output === 'not subscribed') continue
      deliveries.push({ subscription: s.name, ok: true, status: 200, data: lastData(results) })
    } catch (error) {
      deliveries.push(failedDelivery(s.name, error))
    }
  }
  return outcome(deliveries)
}

/** Many events as one batch per subscription (the action's `performBatch`), one outcome per event. */
export async function runBatch(
  destination: Destination<unknown>,
  config: ConfigFile,
  events: SegmentEvent[]
): Promise<EventOutcome[]> {
  const perEvent: Delivery[][] = events.map(() => [])
  for (const s of config.subscriptions) {
    let results: Result[]
    try {
      results = await destination.onBatch(events, settingsWith(config, s))
    } catch (error) {
      // The whole batch failed before per-event results existed (e.g. settings rejected).
      for (const d of perEvent) d.push(failedDelivery(s.name, error))
      continue
    }
    const multistatus = results[0]?.multistatus
    if (!multistatus) continue // `not subscribed`: no event of the batch matched
    multistatus.forEach((node, i) => {
      if (!node) return
      if (node.status === 400 && 'errormessage' in node && node.errormessage === NOT_MATCHED) return
      if ('errormessage' in node) {
        perEvent[i].push({
          subscription: s.name,
          ok: false,
          status: node.status,
          code: node.errortype,
          message: node.errormessage
        })
      } else {
        perEvent[i].push({ subscription: s.name, ok: node.status < 400, status: node.status, data: node.body })
      }
    })
  }
  return perEvent.map(outcome)
}

export interface Summary {
  total: number
  sent: number
  failed: number
  notSubscribed: number
  /** Failure reason (`<status> <code>: <message>`) -> number of events. */
  failures: Record<string, number>
}

export function emptySummary(): Summary {
  return { total: 0, sent: 0, failed: 0, notSubscribed: 0, failures: {} }
}

export function reasonOf(d: Delivery): string {
  return `${d.status}${d.code ? ` ${d.code}` : ''}: ${d.message ?? 'failed'}`
}

/** Adds outcomes to a summary (mutates and returns it). */
export function summarise(outcomes: EventOutcome[], summary: Summary = emptySummary()): Summary {
  for (const o of outcomes) {
    summary.total++
    if (o.status === 'sent') summary.sent++
    else if (o.status === 'not subscribed') summary.notSubscribed++
    else {
      summary.failed++
      const reason = reasonOf(o.deliveries.find((d) => !d.ok) as Delivery)
      summary.failures[reason] = (summary.failures[reason] ?? 0) + 1
    }
  }
  return summary
}

/** Adds one failure that happened before the mapping engine (e.g. a line that is not JSON). */
export function addFailure(summary: Summary, reason: string): void {
  summary.total++
  summary.failed++
  summary.failures[reason] = (summary.failures[reason] ?? 0) + 1
}
