/**
 * The subscription engine: runs raw Segment events through the config's subscriptions and folds what
 * the destination answers into one outcome per event: sent, failed (with status and reason) or not
 * subscribed. Shared by the server and the CLI.
 *
 * It does what actions-core's `onEvent` / `onBatch` do for one subscription, with the per-config work
 * done once: each subscription's FQL is parsed at start (the config was verified by openRunner, settings
 * included), each event is matched against the parsed filter, and each subscription gets only its
 * matching events, through the action's own `execute` (one event) or `executeBatch` (many). Independent
 * subscriptions run concurrently; the outcomes keep the config's order. The answers are those of
 * `onEvent` / `onBatch`: a destination whose auth is OAuth goes through them (their token refresh).
 */
import {
  getAuthData,
  type Destination,
  type JSONObject,
  type Result,
  type SegmentEvent,
  type StatsContext
} from '@segment/actions-core'
import { parseFql, validate, type Subscription as ParsedFql } from '@segment/destination-subscriptions'
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

interface Prepared {
  subscription: SubscriptionConfig
  fql: ParsedFql
}

/** Per event, what one subscription did with it (undefined: not matched); one Delivery: failed for all. */
type BatchAnswer = (Delivery | undefined)[] | Delivery

function outcome(deliveries: Delivery[]): EventOutcome {
  if (deliveries.length === 0) return { status: 'not subscribed', deliveries }
  return { status: deliveries.every((d) => d.ok) ? 'sent' : 'failed', deliveries }
}

/** As actions-core's subscription runner marks them: a schema error is the payload's fault (400). */
function failed(name: string, error: unknown): Delivery {
  const e = error as { name?: unknown; status?: unknown } | null
  if (e && (e.name === 'AggregateAjvError' || e.name === 'ValidationError')) e.status = 400
  return { subscription: name, ...failedResult(error) }
}

class SubscriptionEngine {
  private readonly prepared: Prepared[]
  private readonly settings: JSONObject
  private readonly auth: ReturnType<typeof getAuthData>
  /** OAuth destinations refresh tokens inside onEvent/onBatch: they keep that path. */
  private readonly viaOnBatch: boolean

  constructor(
    private readonly destination: Destination<unknown>,
    private readonly config: ConfigFile
  ) {
    this.prepared = config.subscriptions.map((subscription) => ({
      subscription,
      fql: parseFql(subscription.subscribe)
    }))
    const { oauth: _oauth, ...settings } = config.settings as JSONObject
    this.settings = settings
    this.auth = getAuthData(config.settings as JSONObject)
    const scheme = destination.authentication?.scheme
    this.viaOnBatch = scheme === 'oauth2' || scheme === 'oauth-managed'
  }

  private input(s: SubscriptionConfig) {
    // Fresh objects per call, as actions-core makes them per onEvent/onBatch (no stats client: `{}`).
    const statsContext = {} as StatsContext
    return { mapping: s.mapping || {}, settings: { ...this.settings }, auth: this.auth, features: {}, statsContext }
  }

  private settingsFor(s: SubscriptionConfig): JSONObject {
    return settingsWith(this.config, s)
  }

  async runEvent(event: SegmentEvent): Promise<EventOutcome> {
    const answers = await Promise.all(this.prepared.map((p) => this.eventThrough(p, event)))
    return outcome(answers.filter((d): d is Delivery => d !== undefined))
  }

  private async eventThrough({ subscription: s, fql }: Prepared, event: SegmentEvent): Promise<Delivery | undefined> {
    try {
      let results: Result[]
      if (this.viaOnBatch) {
        results = await this.destination.onEvent(event, this.settingsFor(s))
        if (results.length === 1 && results[0].output === 'not subscribed') return undefined
      } else {
        if (!validate(fql, event)) return undefined
        const personas = event.context?.personas as { audience_settings?: JSONObject } | undefined
        results = await this.destination.actions[s.partnerAction].execute({
          ...this.input(s),
          data: event as unknown as JSONObject,
          audienceSettings: event.context?.personas ? personas?.audience_settings : {},
          personasContext: personas as never
        })
      }
      return { subscription: s.name, ok: true, status: 200, data: lastData(results) }
    } catch (error) {
      return failed(s.name, error)
    }
  }

  /** Many events as one batch per subscription (the action's `performBatch`), one outcome per event. */
  async runBatch(events: SegmentEvent[]): Promise<EventOutcome[]> {
    const answers = await Promise.all(this.prepared.map((p) => this.batchThrough(p, events)))
    const perEvent: Delivery[][] = events.map(() => [])
    for (const answer of answers) {
      if (!Array.isArray(answer)) {
        // The whole batch failed before per-event results existed.
        for (const d of perEvent) d.push({ ...answer })
        continue
      }
      answer.forEach((d, i) => d && perEvent[i].push(d))
    }
    return perEvent.map(outcome)
  }

  private async batchThrough({ subscription: s, fql }: Prepared, events: SegmentEvent[]): Promise<BatchAnswer> {
    const answer: (Delivery | undefined)[] = []
    try {
      let nodes: NonNullable<Result['multistatus']>
      let at: number[] | undefined
      if (this.viaOnBatch) {
        const results = await this.destination.onBatch(events, this.settingsFor(s))
        nodes = results[0]?.multistatus ?? [] // none: `not subscribed`
      } else {
        const matched: SegmentEvent[] = []
        at = []
        for (let i = 0; i < events.length; i++) {
          if (!validate(fql, events[i])) continue
          matched.push(events[i])
          at.push(i)
        }
        if (matched.length === 0) return answer
        nodes = await this.destination.executeBatch(s.partnerAction, { ...this.input(s), events: matched })
      }
      for (let j = 0; j < nodes.length; j++) {
        const node = nodes[j]
        if (node && !isNotMatched(node)) answer[at ? at[j] : j] = { subscription: s.name, ...nodeResult(node) }
      }
      return answer
    } catch (error) {
      return failed(s.name, error)
    }
  }
}

const engines = new WeakMap<ConfigFile, SubscriptionEngine>()

/** The engine of a verified config (see openRunner), built on first use. */
function engineFor(destination: Destination<unknown>, config: ConfigFile): SubscriptionEngine {
  let engine = engines.get(config)
  if (!engine) {
    engine = new SubscriptionEngine(destination, config)
    engines.set(config, engine)
  }
  return engine
}

/**
 * One event through every subscription. Each subscription runs on its own so that one failing
 * subscription neither hides nor undoes what another one delivered.
 */
export function runEvent(
  destination: Destination<unknown>,
  config: ConfigFile,
  event: SegmentEvent
): Promise<EventOutcome> {
  return engineFor(destination, config).runEvent(event)
}

/** Many events as one batch per subscription (the action's `performBatch`), one outcome per event. */
export function runBatch(
  destination: Destination<unknown>,
  config: ConfigFile,
  events: SegmentEvent[]
): Promise<EventOutcome[]> {
  return engineFor(destination, config).runBatch(events)
}
