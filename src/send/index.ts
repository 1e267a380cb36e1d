/**
 * The `send` action: each event becomes one Kafka record (records.ts), sent through the pooled
 * producer of its connection (producer-pool.ts); `performBatch` answers event by event.
 */
import {
  InvalidAuthenticationError,
  MultiStatusResponse,
  PayloadValidationError,
  getErrorCodeFromHttpStatus,
  type ActionDefinition,
  type JSONLikeObject
} from '@segment/actions-core'
import { compressionType } from '../codecs'
import { connectionKey, describeConnection } from '../client-config'
import { toActionError } from '../errors'
import { producerPool } from '../producer-pool'
import { buildRecord, RecordError, type BuiltRecord } from '../records'
import { normaliseSettings, type ConnectionSettings, type Settings } from '../settings'
import { topicDynamicField } from '../topics'
import { deliverTopic, type DeliveryOptions, type Outcome } from './deliver'
import { fields, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_SIZE } from './fields'
import type { Payload } from './generated-types'
import { Telemetry } from './telemetry'

const ACKS: Record<string, number> = { all: -1, leader: 1, none: 0 }

function deliveryOptions(p: Payload): DeliveryOptions {
  return {
    acks: ACKS[p.acks ?? 'all'] ?? -1,
    compression: compressionType(p.compression),
    timeout: p.request_timeout,
    batchBytes: p.batch_bytes ?? DEFAULT_BATCH_BYTES,
    batchSize: p.batch_size ?? DEFAULT_BATCH_SIZE
  }
}

interface Connection {
  settings: ConnectionSettings
  key: string
}

/**
 * Normalised settings and pool key per settings object. The runtime may hand the same object to
 * many calls; a WeakMap makes those free without keeping any settings (or secret) alive.
 */
const connections = new WeakMap<object, Connection>()

function resolveConnection(raw: Settings): Connection {
  let connection = connections.get(raw)
  if (!connection) {
    const settings = normaliseSettings(raw)
    connection = { settings, key: connectionKey(settings) }
    connections.set(raw, connection)
  }
  return connection
}

/** Sends every event and returns one outcome per event, in order. Throws only for invalid settings. */
async function sendEvents(raw: Settings, payloads: Payload[], telemetry: Telemetry): Promise<Outcome[]> {
  const { settings, key } = resolveConnection(raw)
  const outcomes = new Array<Outcome>(payloads.length)
  const groups = new Map<string, { indices: number[]; records: BuiltRecord[] }>()
  payloads.forEach((payload, i) => {
    try {
      if (typeof payload.topic !== 'string' || payload.topic.trim() === '') {
        throw new RecordError('topic is required.', 'topic')
      }
      const record = buildRecord(payload)
      let group = groups.get(payload.topic)
      if (!group) groups.set(payload.topic, (group = { indices: [], records: [] }))
      group.indices.push(i)
      group.records.push(record)
    } catch (error) {
      outcomes[i] = { ok: false, error: toActionError(error, { settings, topic: payload.topic }) }
    }
  })
  if (groups.size === 0) return outcomes

  const observer = telemetry.poolObserver(() => describeConnection(settings))
  try {
    await producerPool.use(
      settings,
      key,
      (pooled) =>
        Promise.all(
          [...groups].map(async ([topic, group]) => {
            const options = deliveryOptions(payloads[group.indices[0]])
            const results = await deliverTopic({ pooled, settings, topic, options, observer: telemetry }, group.records)
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

/** Error counts by code, and one log line per distinct failure of this call. */
function report(telemetry: Telemetry, payloads: Payload[], outcomes: Outcome[]): void {
  const seen = new Map<Error, number>()
  outcomes.forEach((o) => {
    if (!o.ok) seen.set(o.error, (seen.get(o.error) ?? 0) + 1)
  })
  for (const [error, count] of seen) {
    const topic = payloads[outcomes.findIndex((o) => !o.ok && o.error === error)]?.topic
    telemetry.failed(topic, error, count)
    telemetry.log('warn', `${count} event(s) not sent${topic ? ` to topic "${topic}"` : ''}: ${error.message}`)
  }
}

const statusOf = (error: Error): number => {
  const status = (error as { status?: unknown }).status
  return typeof status === 'number' ? status : 500
}

/** The send action's trigger; also what a preset for it subscribes to. */
export const DEFAULT_SUBSCRIPTION =
  'type = "track" or type = "identify" or type = "page" or type = "screen" or type = "group"'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send',
  description: 'Send events to a Kafka topic, one record per event.',
  defaultSubscription: DEFAULT_SUBSCRIPTION,
  fields,
  dynamicFields: { topic: topicDynamicField },
  perform: async (_request, { settings, payload, statsContext, logger }) => {
    const [outcome] = await sendEvents(settings, [payload], new Telemetry(statsContext, logger))
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
      const status = statusOf(error)
      response.pushErrorResponse({
        status,
        errortype:
          error instanceof PayloadValidationError
            ? 'PAYLOAD_VALIDATION_FAILED'
            : error instanceof InvalidAuthenticationError
              ? 'INVALID_AUTHENTICATION'
              : getErrorCodeFromHttpStatus(status),
        errormessage: error.message,
        body: { code: String((error as { code?: unknown }).code ?? error.name) }
      })
    }
    return response
  }
}

export default action
