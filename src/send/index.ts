/**
 * The `send` action: each event becomes one Kafka record (records.ts), sent through the pooled
 * producer of its connection (producers.ts); `performBatch` answers event by event. Concurrent
 * single-event calls share produce requests (coalesce.ts); settings are resolved once per distinct
 * values (settings-cache.ts).
 */
import {
  InvalidAuthenticationError,
  MultiStatusResponse,
  PayloadValidationError,
  getErrorCodeFromHttpStatus,
  type ActionDefinition,
  type JSONLikeObject
} from '@segment/actions-core'
import { DEFAULT_SUBSCRIPTION } from '../default-subscription'
import { describeConnection } from '../connection-identity'
import { errorCode, errorStatus } from '../errors'
import { toActionError } from '../kafka/errors'
import { producerPool } from '../producers'
import type { BuiltRecord } from '../records'
import { schemaDynamicFields } from '../schema/dynamic'
import type { Settings } from '../settings-fields'
import { topicDynamicField } from '../topics'
import { Coalescer } from './coalesce'
import { deliverTopic, type DeliveryObserver, type DeliveryOptions, type Outcome } from './deliver'
import { fields } from './fields'
import type { Payload } from './payload'
import { planRecords } from './plan'
import { Telemetry } from './telemetry'

/**
 * Concurrent single-event calls for one producer, topic and delivery options share produce requests
 * (see coalesce.ts). Batches are requests of their own already and are not coalesced.
 */
const coalescer = new Coalescer<Queued, Outcome>()

interface Queued {
  record: BuiltRecord
  observer: DeliveryObserver
}

function laneOf(topic: string, o: DeliveryOptions): string {
  return `${o.acks}|${o.compression}|${o.timeout ?? ''}|${o.batchBytes}|${o.batchSize}|${topic}`
}

/** Stats of a coalesced request go to each caller's own telemetry, for its own records. */
function splitObserver(items: Queued[]): DeliveryObserver {
  if (items.length === 1) return items[0].observer
  const owner = new Map<BuiltRecord, DeliveryObserver>(items.map((q) => [q.record, q.observer]))
  return {
    sent(topic, _records, _bytes, ms, part) {
      const per = new Map<DeliveryObserver, { records: number; bytes: number }>()
      for (const record of part ?? []) {
        const observer = owner.get(record)
        if (!observer) continue
        const n = per.get(observer) ?? { records: 0, bytes: 0 }
        n.records++
        n.bytes += record.size
        per.set(observer, n)
      }
      for (const [observer, n] of per) observer.sent?.(topic, n.records, n.bytes, ms)
    }
  }
}

/** Sends every event and returns one outcome per event, in order. Throws only for invalid settings. */
async function sendEvents(
  raw: Settings,
  payloads: Payload[],
  telemetry: Telemetry,
  coalesce = false
): Promise<Outcome[]> {
  const { settings, key, records } = await planRecords(raw, payloads)
  const outcomes = new Array<Outcome>(payloads.length)
  // One group per topic and delivery options: events of one topic mapped with other acks or
  // compression are sent with their own options.
  const groups = new Map<
    string,
    { topic: string; options: DeliveryOptions; indices: number[]; records: BuiltRecord[] }
  >()
  records.forEach((planned, i) => {
    if (!planned.ok) {
      outcomes[i] = { ok: false, error: planned.error }
      return
    }
    const { topic, options, record } = planned
    const lane = laneOf(topic, options)
    let group = groups.get(lane)
    if (!group) groups.set(lane, (group = { topic, options, indices: [], records: [] }))
    group.indices.push(i)
    group.records.push(record)
  })
  if (groups.size === 0) return outcomes

  const observer = telemetry.callObserver(() => describeConnection(settings))
  try {
    await producerPool.use(
      settings,
      key,
      (producer) =>
        Promise.all(
          [...groups].map(async ([lane, group]) => {
            const { topic, options } = group
            const delivery = { producer, settings, topic, options, observer: telemetry as DeliveryObserver }
            const results = coalesce
              ? await coalescer.submit(
                  producer,
                  lane,
                  group.records.map((record) => ({ record, observer: telemetry })),
                  (items) =>
                    deliverTopic(
                      { ...delivery, observer: splitObserver(items) },
                      items.map((q) => q.record)
                    )
                )
              : await deliverTopic(delivery, group.records)
            results.forEach((result, j) => (outcomes[group.indices[j]] = result))
          })
        ),
      observer
    )
  } catch (error) {
    // Creating or connecting the producer failed: every event still undecided fails with that error.
    const mapped = toActionError(error, { settings })
    for (const group of groups.values()) {
      for (const i of group.indices) outcomes[i] ??= { ok: false, error: mapped }
    }
  }
  // A connected producer whose credentials stopped working is rebuilt on the next call.
  if (outcomes.some((o) => !o.ok && o.topicError && o.error instanceof InvalidAuthenticationError)) {
    producerPool.evict(key, 'authentication-failed')
  }
  report(telemetry, payloads, outcomes)
  return outcomes
}

/** Error counts by code and topic, and one log line per code and topic (the first message as example). */
function report(telemetry: Telemetry, payloads: Payload[], outcomes: Outcome[]): void {
  const seen = new Map<string, { topic?: string; error: Error; count: number }>()
  outcomes.forEach((o, i) => {
    if (o.ok) return
    const topic = payloads[i]?.topic
    const code = errorCode(o.error)
    const key = `${code}\u0000${topic ?? ''}`
    const entry = seen.get(key)
    if (entry) entry.count++
    else seen.set(key, { topic, error: o.error, count: 1 })
  })
  for (const { topic, error, count } of seen.values()) {
    telemetry.failed(topic, error, count)
    telemetry.log('warn', `${count} event(s) not sent${topic ? ` to topic "${topic}"` : ''}: ${error.message}`)
  }
}

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send',
  description: 'Send events to a Kafka topic, one record per event.',
  defaultSubscription: DEFAULT_SUBSCRIPTION,
  fields,
  dynamicFields: { topic: topicDynamicField, ...schemaDynamicFields },
  perform: async (_request, { settings, payload, statsContext, logger }) => {
    const [outcome] = await sendEvents(settings, [payload], new Telemetry(statsContext, logger), true)
    if (!outcome.ok) throw outcome.error
    return outcome.sent
  },
  performBatch: async (_request, { settings, payload, statsContext, logger }) => {
    const outcomes = await sendEvents(settings, payload, new Telemetry(statsContext, logger))
    const response = new MultiStatusResponse()
    for (const outcome of outcomes) {
      if (outcome.ok) {
        const sent = outcome.sent as unknown as JSONLikeObject
        response.pushSuccessResponse({ status: 200, sent, body: sent })
        continue
      }
      const { error } = outcome
      const status = errorStatus(error)
      response.pushErrorResponse({
        status,
        errortype:
          error instanceof PayloadValidationError
            ? 'PAYLOAD_VALIDATION_FAILED'
            : error instanceof InvalidAuthenticationError
              ? 'INVALID_AUTHENTICATION'
              : getErrorCodeFromHttpStatus(status),
        errormessage: error.message,
        body: { code: errorCode(error) }
      })
    }
    return response
  }
}

export default action
