/**
 * The schema step of sending: for every event mapped with a schema format, its key and value bytes
 * in the Confluent wire format. Each distinct schema choice is resolved once per call (the registry
 * client caches across calls); each event is encoded on its own, so an event that does not fit its
 * schema fails alone with a 400 naming the field, and a registry failure fails only the events that
 * need that schema.
 */
import { registryClients, type RegistryClients } from './clients'
import { schemaError } from './errors'
import { choiceKey, partValues, schemaChoice } from './fields'
import { FIELD_OF, type SchemaChoice, type Serializer } from './serializer'
import type { RegistrySettings } from './settings'

export interface EncodedParts {
  key?: Buffer
  value?: Buffer
}

export type EncodeOutcome = { ok: true; encoded: EncodedParts } | { ok: false; error: Error }

/** The fields of a mapped event this step reads. */
export interface SchemaPayload {
  topic: string
  payload?: unknown
  key?: unknown
  key_data?: unknown
  value_format?: string
  key_format?: string
  value_subject_strategy?: unknown
  value_subject?: unknown
  value_record_name?: unknown
  value_schema_version?: unknown
  value_schema?: unknown
  value_message?: unknown
  key_subject_strategy?: unknown
  key_subject?: unknown
  key_record_name?: unknown
  key_schema_version?: unknown
  key_schema?: unknown
  key_message?: unknown
}

type Choices = { key?: SchemaChoice; value?: SchemaChoice }

/** The fields a schema choice is made of. */
const CHOICE_FIELDS = [
  'topic',
  'value_format',
  'value_subject_strategy',
  'value_subject',
  'value_record_name',
  'value_schema_version',
  'value_schema',
  'value_message',
  'key_format',
  'key_subject_strategy',
  'key_subject',
  'key_record_name',
  'key_schema_version',
  'key_schema',
  'key_message'
] as const satisfies readonly (keyof SchemaPayload)[]

const usesSchema = (p: SchemaPayload): boolean =>
  (p.value_format !== undefined && p.value_format !== 'json' && p.value_format !== '') ||
  (p.key_format !== undefined && p.key_format !== 'string' && p.key_format !== '')

/**
 * One entry per payload: undefined when the event uses no schema (JSON value, text key), else its
 * encoded parts or its error. `registry` is the checked registry settings (src/settings.ts). Never throws.
 */
export async function encodeWithSchemas(
  registry: RegistrySettings | undefined,
  payloads: readonly SchemaPayload[],
  clients: RegistryClients = registryClients
): Promise<(EncodeOutcome | undefined)[]> {
  const out = new Array<EncodeOutcome | undefined>(payloads.length)
  if (!payloads.some(usesSchema)) return out
  const choices = new Array<Choices | undefined>(payloads.length)
  // Events of one mapping carry the same field values (a schema text is the same string): they share
  // one parsed choice, so the work per event is a comparison.
  let previous: { values: unknown[]; choices?: Choices; error?: Error } | undefined
  payloads.forEach((p, i) => {
    if (!usesSchema(p)) return
    const record = p as unknown as Record<string, unknown>
    const values = CHOICE_FIELDS.map((f) => record[f])
    const last = previous
    if (last && values.every((v, j) => v === last.values[j])) {
      if (last.error) out[i] = { ok: false, error: last.error }
      else choices[i] = last.choices
      return
    }
    previous = { values }
    try {
      previous.choices = choices[i] = {
        value: schemaChoice(p.topic, 'value', partValues(record, 'value')),
        key: schemaChoice(p.topic, 'key', partValues(record, 'key'))
      }
    } catch (error) {
      previous.error = error as Error
      out[i] = { ok: false, error: error as Error }
    }
  })

  if (!registry) {
    const error = schemaError(
      'SCHEMA_REGISTRY_NOT_CONFIGURED',
      'The Schema Registry URL setting is required for the Avro, JSON Schema and Protobuf formats.'
    )
    choices.forEach((c, i) => (out[i] ??= c ? { ok: false, error } : undefined))
    return out
  }

  // Each distinct choice once (by object, then by value); their failures are kept per choice.
  const serializers = clients.get(registry)
  const byObject = new Map<SchemaChoice, Promise<Serializer>>()
  const byKey = new Map<string, Promise<Serializer>>()
  const resolve = (c: SchemaChoice): Promise<Serializer> => {
    let promise = byObject.get(c)
    if (promise) return promise
    const k = choiceKey(c)
    promise = byKey.get(k)
    if (!promise) {
      promise = serializers.get(c)
      promise.catch(() => undefined) // awaited below, per event
      byKey.set(k, promise)
    }
    byObject.set(c, promise)
    return promise
  }
  for (const c of choices) {
    if (c?.value) resolve(c.value)
    if (c?.key) resolve(c.key)
  }

  for (let i = 0; i < payloads.length; i++) {
    const c = choices[i]
    if (!c || out[i]) continue
    try {
      const encoded: EncodedParts = {}
      if (c.value) encoded.value = (await resolve(c.value)).encode(payloads[i].payload ?? null, FIELD_OF.value)
      if (c.key) {
        const p = payloads[i]
        const structured = p.key_data !== undefined && p.key_data !== null
        const keyValue = structured ? p.key_data : p.key
        if (keyValue !== undefined && keyValue !== null && keyValue !== '')
          encoded.key = (await resolve(c.key)).encode(keyValue, structured ? 'key_data' : FIELD_OF.key)
      }
      out[i] = { ok: true, encoded }
    } catch (error) {
      out[i] = { ok: false, error: error as Error }
    }
  }
  return out
}
