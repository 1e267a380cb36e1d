/**
 * The `send` action's schema fields: the value's and the key's format, and how their schema is chosen
 * (subject from a naming strategy or given, latest or pinned version, or a schema text). Shown only
 * when a schema format is picked. `schemaChoices` turns the mapped values into checked SchemaChoices.
 */
import type { InputField } from '@segment/actions-core'
import { RecordError } from '../records'
import {
  SCHEMA_FORMATS,
  SUBJECT_STRATEGIES,
  type SchemaChoice,
  type SchemaFormat,
  type SubjectStrategy
} from './serializer'

export const VALUE_FORMATS = ['json', ...SCHEMA_FORMATS] as const
export const KEY_FORMATS = ['string', ...SCHEMA_FORMATS] as const

const FORMAT_LABELS: Record<string, string> = {
  json: 'JSON (no schema)',
  string: 'Text (no schema)',
  avro: 'Avro',
  'json-schema': 'JSON Schema',
  protobuf: 'Protobuf'
}

type Part = 'key' | 'value'
/** The schema fields of one part, each named `<part>_<suffix>`. */
type Suffix = 'format' | 'subject_strategy' | 'subject' | 'record_name' | 'schema_version' | 'schema' | 'message'

/** The mapped values of one part's schema fields (names without the `key_` / `value_` prefix). */
export interface SchemaFieldValues {
  format?: string
  subject?: string
  subject_strategy?: string
  record_name?: string
  schema_version?: string | number
  schema?: string
  message?: string
}

const shownWithSchema = (part: Part): InputField['depends_on'] => ({
  match: 'all',
  conditions: [{ fieldKey: `${part}_format`, operator: 'is_not', value: part === 'value' ? 'json' : 'string' }]
})

function partFields<P extends Part>(part: P): Record<`${P}_${Suffix}`, InputField> {
  const what = part === 'value' ? 'value (the Payload)' : 'key (Key Data, else the Message Key text)'
  const show = shownWithSchema(part)
  return {
    [`${part}_format`]: {
      label: part === 'value' ? 'Value Format' : 'Key Format',
      description:
        part === 'value'
          ? 'How the record value is written: JSON text, or Avro, JSON Schema or Protobuf in the Confluent wire format with the schema from the schema registry (set its URL in the settings).'
          : 'How the record key is written: text, or Avro, JSON Schema or Protobuf in the Confluent wire format with the schema from the schema registry.',
      type: 'string',
      default: part === 'value' ? 'json' : 'string',
      choices: (part === 'value' ? VALUE_FORMATS : KEY_FORMATS).map((value) => ({ label: FORMAT_LABELS[value], value }))
    },
    [`${part}_subject_strategy`]: {
      label: part === 'value' ? 'Value Subject Naming' : 'Key Subject Naming',
      description: `The registry subject of the ${what} schema: \`<topic>-${part}\` (topic), the record name (record), or \`<topic>-<record name>\` (topic-record).`,
      type: 'string',
      default: 'topic',
      choices: SUBJECT_STRATEGIES.map((value) => ({ label: value, value })),
      depends_on: show
    },
    [`${part}_subject`]: {
      label: part === 'value' ? 'Value Subject' : 'Key Subject',
      description: `A subject to use as it is, instead of the naming strategy. The list shows the registry's subjects.`,
      type: 'string',
      dynamic: true,
      depends_on: show
    },
    [`${part}_record_name`]: {
      label: part === 'value' ? 'Value Record Name' : 'Key Record Name',
      description:
        'For the record and topic-record strategies without a schema text: the full name of the record (Avro), message (Protobuf) or title (JSON Schema), e.g. `com.example.Order`.',
      type: 'string',
      depends_on: show
    },
    [`${part}_schema_version`]: {
      label: part === 'value' ? 'Value Schema Version' : 'Key Schema Version',
      description:
        'The version of the subject to encode with: `latest` (re-checked every 30 seconds) or a pinned version number. The list shows the subject’s versions.',
      type: 'string',
      default: 'latest',
      dynamic: true,
      depends_on: show
    },
    [`${part}_schema`]: {
      label: part === 'value' ? 'Value Schema Text' : 'Key Schema Text',
      description:
        'Instead of a version from the registry: a schema text (Avro JSON, JSON Schema or .proto), registered under the subject on first use (or looked up, with read-only credentials).',
      type: 'string',
      format: 'text',
      depends_on: show
    },
    [`${part}_message`]: {
      label: part === 'value' ? 'Value Protobuf Message' : 'Key Protobuf Message',
      description:
        'Protobuf only: the message of the schema to encode, e.g. `Order` or `shop.v1.Order`. Default: the first message.',
      type: 'string',
      depends_on: show
    }
  } as Record<`${P}_${Suffix}`, InputField>
}

export const schemaFields = {
  ...partFields('value'),
  ...partFields('key'),
  key_data: {
    label: 'Key Data',
    description:
      'With a Key Format other than text: the structured key to encode (e.g. `{ "userId": … }` for a record key). Empty: the Message Key text is encoded (for a string schema).',
    type: 'object',
    depends_on: shownWithSchema('key')
  } as InputField
}

/** One part's field values, read from the payload by their prefixed names. */
export function partValues(payload: Record<string, unknown>, part: Part): SchemaFieldValues {
  const get = (name: string): unknown => payload[`${part}_${name}`]
  return {
    format: get('format') as string | undefined,
    subject: get('subject') as string | undefined,
    subject_strategy: get('subject_strategy') as string | undefined,
    record_name: get('record_name') as string | undefined,
    schema_version: get('schema_version') as string | number | undefined,
    schema: get('schema') as string | undefined,
    message: get('message') as string | undefined
  }
}

const filled = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

/**
 * The schema choice of one part, or undefined for plain JSON / text. Throws RecordError (400) naming
 * the field for a value the runtime let through but that cannot be used.
 */
export function schemaChoice(topic: string, part: Part, v: SchemaFieldValues): SchemaChoice | undefined {
  const field = (name: string): string => `${part}_${name}`
  const format = filled(v.format) ?? (part === 'value' ? 'json' : 'string')
  if (format === (part === 'value' ? 'json' : 'string')) return undefined
  if (!(SCHEMA_FORMATS as readonly string[]).includes(format))
    throw new RecordError(
      `${field('format')} must be one of ${(part === 'value' ? VALUE_FORMATS : KEY_FORMATS).join(', ')}, got "${format}".`,
      field('format')
    )
  const strategy = filled(v.subject_strategy) ?? 'topic'
  if (!(SUBJECT_STRATEGIES as readonly string[]).includes(strategy))
    throw new RecordError(
      `${field('subject_strategy')} must be one of ${SUBJECT_STRATEGIES.join(', ')}, got "${strategy}".`,
      field('subject_strategy')
    )
  const choice: SchemaChoice = { format: format as SchemaFormat, part, topic, strategy: strategy as SubjectStrategy }
  const subject = filled(v.subject)
  if (subject) choice.subject = subject
  const recordName = filled(v.record_name)
  if (recordName) choice.recordName = recordName
  const schema = filled(v.schema)
  if (schema) choice.schema = schema
  const message = filled(v.message)
  if (message) choice.message = message
  const version = typeof v.schema_version === 'number' ? String(v.schema_version) : filled(v.schema_version)
  if (version && version.toLowerCase() !== 'latest') {
    if (!/^\d+$/.test(version) || Number(version) < 1)
      throw new RecordError(
        `${field('schema_version')} must be "latest" or a version number (1 or more), got "${version}".`,
        field('schema_version')
      )
    if (schema)
      throw new RecordError(
        `${field('schema_version')} and ${field('schema')} cannot both be set: a schema text is registered as whatever version it gets.`,
        field('schema_version')
      )
    choice.version = Number(version)
  }
  if (strategy !== 'topic' && !subject && !schema && !recordName)
    throw new RecordError(
      `${field('record_name')} is required with the ${strategy} subject strategy (or give a schema text or a subject).`,
      field('record_name')
    )
  return choice
}

/** A stable key of a choice, to resolve each distinct one once per batch. */
export function choiceKey(c: SchemaChoice): string {
  return JSON.stringify([
    c.part,
    c.format,
    c.topic,
    c.strategy,
    c.subject ?? '',
    c.recordName ?? '',
    c.version ?? 0,
    c.message ?? '',
    c.schema ?? ''
  ])
}
