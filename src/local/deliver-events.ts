/**
 * What the gateway does with a request's events: runs them through the subscriptions, writes the ones
 * that failed permanently to the dead-letter topic (when configured), counts everything in the metrics,
 * and says per request whether every event was acknowledged, may be retried, or was rejected for good.
 */
import type { SegmentEvent } from '@segment/actions-core'
import type { Caller } from './access'
import type { AcknowledgedIds } from './acknowledged-ids'
import type { DeadLetter, DeadLetters } from './dead-letters'
import type { GatewayMetrics } from './metrics'
import type { RecentErrors } from './recent-errors'
import type { LocalRunner } from './startup'
import { runBatch, runEvent, type Acknowledged, type Delivery, type EventOutcome } from './subscriptions'
import { reasonOf } from './summary'

/** actions-core's retry rule: 5xx except 501, and 408 / 423 / 429. */
export function isRetryable(status: number): boolean {
  return (status >= 500 && status !== 501) || status === 408 || status === 423 || status === 429
}

/** The topic label of every topic the config does not name literally (so client data never makes a series). */
export const OTHER_TOPIC = 'other'

export interface DeliveryReport {
  outcomes: EventOutcome[]
  /** Events a subscription failed to deliver with a retryable error (the request should be retried). */
  retryable: number
  /** Events that failed permanently and are not in the dead-letter topic. */
  rejected: number
  deadLettered: number
  /** The first reason of each kind, for the answer. */
  firstRetryable?: string
  firstRejected?: string
}

type Marked = Delivery & { deadLettered?: boolean }

export class EventDelivery {
  private readonly topics = new Map<string, string>()
  /** The topics the config names literally: the only ones that become metric labels. */
  private readonly namedTopics = new Set<string>()

  constructor(
    private readonly runner: LocalRunner,
    private readonly metrics?: GatewayMetrics,
    private readonly deadLetters?: DeadLetters,
    private readonly recent?: RecentErrors,
    /** What each subscription delivered, so an SDK's retry is not written twice (off when absent). */
    private readonly acknowledgedIds?: AcknowledgedIds
  ) {
    for (const s of runner.config.subscriptions) {
      const topic = s.mapping.topic
      // A topic taken from the event (a mapping) is client data: its label is one word, whatever the value.
      const named = typeof topic === 'string'
      this.topics.set(s.name, named ? topic : OTHER_TOPIC)
      if (named) this.namedTopics.add(topic)
    }
  }

  /** `single`: one event through `onEvent` (as a runtime sends one event); else the batch path. */
  async deliver(events: SegmentEvent[], caller: Caller, route: string, single: boolean): Promise<DeliveryReport> {
    const { destination, config } = this.runner
    this.metrics?.received.inc({ write_key: caller.name, route }, events.length)
    const stop = this.metrics?.sendSeconds.startTimer({ route })
    const ids = this.acknowledgedIds
    const acknowledged: Acknowledged | undefined = ids && {
      known: (subscription, event) =>
        event.messageId ? ids.get(caller.name, subscription, event.messageId) : undefined,
      remember: (subscription, event, data) => {
        if (event.messageId) ids.remember(caller.name, subscription, event.messageId, data)
      }
    }
    const outcomes =
      single && events.length === 1
        ? [await runEvent(destination, config, events[0], acknowledged)]
        : await runBatch(destination, config, events, acknowledged)

    const letters: { letter: DeadLetter; delivery: Marked }[] = []
    for (const [i, o] of outcomes.entries()) {
      for (const d of o.deliveries) {
        if (d.ok || isRetryable(d.status) || !this.deadLetters) continue
        letters.push({
          letter: { event: events[i], subscription: d.subscription, writeKey: caller.name, failure: d },
          delivery: d
        })
      }
    }
    const written = this.deadLetters ? await this.deadLetters.write(letters.map((l) => l.letter)) : []
    written.forEach((result, i) => {
      const { delivery } = letters[i]
      if (result.ok) {
        delivery.deadLettered = true
        this.metrics?.deadLettered.inc({
          write_key: caller.name,
          subscription: delivery.subscription,
          code: delivery.code ?? String(delivery.status)
        })
      } else {
        // The event is neither delivered nor a dead letter: report the dead-letter failure instead.
        Object.assign(delivery, {
          status: result.status,
          code: result.code,
          message: `not delivered (${reasonOf(delivery)}) nor written to the dead-letter topic: ${result.message ?? ''}`
        })
      }
    })
    stop?.()
    return this.report(outcomes, caller)
  }

  private report(outcomes: EventOutcome[], caller: Caller): DeliveryReport {
    const report: DeliveryReport = { outcomes, retryable: 0, rejected: 0, deadLettered: 0 }
    // Counted here per label set, then added to the metrics once per request (not once per event).
    const sent = new Map<string, { subscription: string; topic: string; count: number }>()
    const failed = new Map<string, { subscription: string; topic: string; code: string; count: number }>()
    let notSubscribed = 0
    for (const o of outcomes) {
      if (o.status === 'not subscribed') notSubscribed++
      let retry = false
      let reject = false
      let lettered = false
      for (const d of o.deliveries as Marked[]) {
        const labels = { write_key: caller.name, subscription: d.subscription }
        if (d.repeat) {
          this.metrics?.repeats.inc(labels)
          continue
        }
        if (d.ok) {
          const data = (d.data as { topic?: unknown } | undefined)?.topic
          // Only a topic the config names becomes a label: a mapped one is client data.
          const topic = typeof data === 'string' && this.namedTopics.has(data) ? data : OTHER_TOPIC
          const key = `${d.subscription}\u0000${topic}`
          const entry = sent.get(key)
          if (entry) entry.count++
          else sent.set(key, { subscription: d.subscription, topic, count: 1 })
          continue
        }
        const topic = this.topics.get(d.subscription) ?? ''
        const code = d.code ?? String(d.status)
        const key = `${d.subscription}\u0000${topic}\u0000${code}`
        const entry = failed.get(key)
        if (entry) entry.count++
        else failed.set(key, { subscription: d.subscription, topic, code, count: 1 })
        this.recent?.add({
          subscription: d.subscription,
          status: d.status,
          code,
          message: d.message ?? '',
          deadLettered: d.deadLettered === true
        })
        if (d.deadLettered) lettered = true
        else if (isRetryable(d.status)) {
          retry = true
          report.firstRetryable ??= reasonOf(d)
        } else {
          reject = true
          report.firstRejected ??= reasonOf(d)
        }
      }
      if (retry) report.retryable++
      else if (reject) report.rejected++
      else if (lettered) report.deadLettered++
    }
    const write_key = caller.name
    if (notSubscribed) this.metrics?.notSubscribed.inc({ write_key }, notSubscribed)
    for (const { subscription, topic, count } of sent.values()) {
      this.metrics?.sent.inc({ write_key, subscription, topic }, count)
    }
    for (const { subscription, topic, code, count } of failed.values()) {
      this.metrics?.failed.inc({ write_key, subscription, topic, code }, count)
    }
    return report
  }
}
