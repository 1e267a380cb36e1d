/**
 * The first half of sending, shared by the send action and the gateway's dry run: settings resolved,
 * keys and values encoded with their schemas (src/schema/), each event's record built (records.ts) with
 * its delivery options. What comes after (the producer) is the send action's alone.
 */
import { COMPRESSIONS, type Compression } from '../kafka/codecs'
import { toActionError } from '../kafka/errors'
import { buildRecord, checkTopic, type BuiltRecord } from '../records'
import { encodeWithSchemas } from '../schema/encode-events'
import type { ConnectionSettings } from '../settings'
import type { Settings } from '../settings-fields'
import type { DeliveryOptions } from './deliver'
import { checkBounds, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_SIZE } from './fields'
import type { Payload } from './payload'
import { SettingsCache } from './settings-cache'

const ACKS: Record<string, number> = { all: -1, leader: 1, none: 0 }

/** With idempotent delivery every request waits for all in-sync replicas: kafkajs refuses other acks then. */
function deliveryOptions(p: Payload, idempotent: boolean): DeliveryOptions {
  return {
    acks: idempotent ? -1 : (ACKS[p.acks ?? 'all'] ?? -1),
    compression: COMPRESSIONS.includes(p.compression as Compression) ? (p.compression as Compression) : 'none',
    timeout: p.request_timeout,
    batchBytes: p.batch_bytes ?? DEFAULT_BATCH_BYTES,
    batchSize: p.batch_size ?? DEFAULT_BATCH_SIZE
  }
}

/** Normalised settings and pool key, cached by the settings values (see settings-cache.ts). */
const settingsCache = new SettingsCache()

/** One event's record, ready for the producer, or the error that stops it (naming the field). */
export type PlannedRecord =
  | { ok: true; topic: string; record: BuiltRecord; options: DeliveryOptions }
  | { ok: false; topic?: string; error: Error }

export interface Plan {
  settings: ConnectionSettings
  /** connectionKey() of the settings: the producer pool's key. */
  key: string
  records: PlannedRecord[]
}

/** Plans every event; one entry per payload, in order. Throws only for invalid settings. */
export async function planRecords(raw: Settings, payloads: Payload[]): Promise<Plan> {
  const { settings, key } = settingsCache.resolve(raw)
  // Avro, JSON Schema and Protobuf keys and values, each event on its own (src/schema/).
  const encoded = await encodeWithSchemas(settings.registry, payloads)
  const records = payloads.map((payload, i): PlannedRecord => {
    try {
      checkTopic(payload.topic)
      checkBounds(payload)
      const schema = encoded[i]
      if (schema && !schema.ok) throw schema.error
      const record = buildRecord(payload, schema?.encoded)
      return { ok: true, topic: payload.topic, record, options: deliveryOptions(payload, settings.idempotent === true) }
    } catch (error) {
      return { ok: false, topic: payload.topic, error: toActionError(error, { settings, topic: payload.topic }) }
    }
  })
  return { settings, key, records }
}
