/**
 * The subscription engine: runs raw Segment events through the config's subscriptions with the
 * actions-core mapping engine (`Destination.onEvent` for one event, `onBatch` for many) and folds what it
 * answers into one outcome per event: sent, failed (with status and reason) or not subscribed. Shared by
 * the server and the CLI.
 */
import type { Destination, JSONObject, Result, SegmentEvent } from '@segment/actions-core'
import type { ConfigFile, SubscriptionConfig } from './config-file'
import { failedResult, isNotMatched, lastData, nodeResult } from './results'
import type { EventOutcome } from './summary'

export type Delivery = EventOutcome['deliveries'][number]
export type { EventOutcome }

/** The settings actions-core takes for one subscription: the config's settings with it inside. */
export function settingsWith(config: ConfigFile, subscription: SubscriptionConfig): JSONObject {
  const { name, subscribe, partnerAction, mapping } = subscription
  return { ...config.settings, subscriptions: [{ name, subscribe, partnerAction, mapping }] }
}

function outcome(deliveries: Delivery[]): EventOutcome {
  if (deliveries.length === 0) return { status: 'not subscribed', deliveries }
  return { status: deliveries.every((d) => d.ok) ? 'sent' : 'failed', deliveries }
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
      deliveries.push({ subscription: s.name, ...failedResult(error) })
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
      const failed = failedResult(error)
      for (const d of perEvent) d.push({ subscription: s.name, ...failed })
      continue
    }
    const multistatus = results[0]?.multistatus
    if (!multistatus) continue // `not subscribed`: no event of the batch matched
    multistatus.forEach((node, i) => {
      if (node && !isNotMatched(node)) perEvent[i].push({ subscription: s.name, ...nodeResult(node) })
    })
  }
  return perEvent.map(outcome)
}
