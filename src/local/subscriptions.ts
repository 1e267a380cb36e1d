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

/**
 * The memory of what each subscription delivered (see acknowledged-ids.ts): an event a subscription
 * acknowledged before (an SDK's retry) is not sent to it again. Each subscription's acknowledgements
 * are remembered as soon as it answers, before the next subscription runs, so a retry the SDK sends
 * while a slow subscription is still working finds them.
 */
export interface Acknowledged {
  known(subscription: string, event: SegmentEvent): { data: unknown } | undefined
  remember(subscription: string, event: SegmentEvent, data: unknown): void
}

const repeat = (subscription: string, known: { data: unknown }): Delivery => ({
  subscription,
  ok: true,
  status: 200,
  data: known.data,
  repeat: true
})

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
  event: SegmentEvent,
  acknowledged?: Acknowledged
): Promise<EventOutcome> {
  const deliveries: Delivery[] = []
  for (const s of config.subscriptions) {
    const known = acknowledged?.known(s.name, event)
    if (known) {
      deliveries.push(repeat(s.name, known))
      continue
    }
    try {
      const results = await destination.onEvent(event, settingsWith(config, s))
      if (results.length === 1 && results[0].output === 'not subscribed') continue
      const data = lastData(results)
      acknowledged?.remember(s.name, event, data)
      deliveries.push({ subscription: s.name, ok: true, status: 200, data })
    } catch (error) {
      deliveries.push({ subscription: s.name, ...failedResult(error) })
    }
  }
  return outcome(deliveries)
}

/**
 * Many events as one batch per subscription (the action's `performBatch`), one outcome per event. A
 * subscription gets only the events it has not acknowledged before.
 */
export async function runBatch(
  destination: Destination<unknown>,
  config: ConfigFile,
  events: SegmentEvent[],
  acknowledged?: Acknowledged
): Promise<EventOutcome[]> {
  const perEvent: Delivery[][] = events.map(() => [])
  for (const s of config.subscriptions) {
    // Indices of the events to send to this subscription.
    const send: number[] = []
    events.forEach((event, i) => {
      const known = acknowledged?.known(s.name, event)
      if (known) perEvent[i].push(repeat(s.name, known))
      else send.push(i)
    })
    if (send.length === 0) continue
    let results: Result[]
    try {
      const batch = send.length === events.length ? events : send.map((i) => events[i])
      results = await destination.onBatch(batch, settingsWith(config, s))
    } catch (error) {
      // The whole batch failed before per-event results existed (e.g. settings rejected).
      const failed = failedResult(error)
      for (const i of send) perEvent[i].push({ subscription: s.name, ...failed })
      continue
    }
    const multistatus = results[0]?.multistatus
    if (!multistatus) continue // `not subscribed`: no event of the batch matched
    multistatus.forEach((node, j) => {
      if (!node || isNotMatched(node)) return
      const result = nodeResult(node)
      if (result.ok) acknowledged?.remember(s.name, events[send[j]], result.data)
      perEvent[send[j]].push({ subscription: s.name, ...result })
    })
  }
  return perEvent.map(outcome)
}
