/**
 * The schema a record is encoded with, and its encoder in the Confluent wire format: the subject from
 * the naming strategy, the schema from the subject's latest version, a pinned version, or a schema text
 * registered (or looked up) on first use; compiled once per schema id (or text) and reused.
 */
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { compileAvro } from './avro'
import { EncodeError, encodingFailed, schemaError } from './errors'
import { compileJsonSchema } from './json-schema'
import { compileProtobuf } from './protobuf'
import type { SchemaRecord, SchemaType } from './registry-api'
import type { RegistryClient } from './registry-client'
import type { CompiledSchema } from './types'
import { frame, wireHeader } from './wire'

export const SCHEMA_FORMATS = ['avro', 'json-schema', 'protobuf'] as const
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number]
export const SUBJECT_STRATEGIES = ['topic', 'record', 'topic-record'] as const
export type SubjectStrategy = (typeof SUBJECT_STRATEGIES)[number]

const SCHEMA_TYPE: Record<SchemaFormat, SchemaType> = { avro: 'AVRO', 'json-schema': 'JSON', protobuf: 'PROTOBUF' }

/** How the key's or the value's schema is chosen (the action fields, checked). */
export interface SchemaChoice {
  format: SchemaFormat
  /** `key` or `value`: the subject suffix of the topic strategy, and the field named in errors. */
  part: 'key' | 'value'
  topic: string
  strategy: SubjectStrategy
  /** A subject given outright: wins over the strategy. */
  subject?: string
  /** The record (or message, or title) name for the record strategies when no schema text is given. */
  recordName?: string
  /** A pinned version; else the latest. */
  version?: number
  /** A schema text, registered (or looked up) on first use. */
  schema?: string
  /** Protobuf: the message to encode (default: the file's first). */
  message?: string
}

/** One schema, ready: encodes a JSON value into the record bytes. */
export interface Serializer {
  id: number
  subject: string
  label: string
  /** Throws a PayloadValidationError (400) naming `field` and the path when the value does not fit. */
  encode(value: unknown, field: string): Buffer
}

/** The mapping field an error names, for each part. */
export const FIELD_OF: Record<SchemaChoice['part'], string> = { key: 'key', value: 'payload' }

export class SchemaSerializers {
  private readonly compiled: LRUCache<string, Serializer>
  /** Schema texts of the mappings, compiled once each (by digest). */
  private readonly texts = new LRUCache<string, CompiledSchema>({ max: 500 })

  constructor(
    readonly client: RegistryClient,
    max = 500
  ) {
    this.compiled = new LRUCache({ max })
  }

  /** The serializer for one choice. Rejects with a registry or schema error (see errors.ts). */
  async get(choice: SchemaChoice): Promise<Serializer> {
    if (choice.schema !== undefined) return this.fromText(choice, choice.schema)
    const subject = subjectOf(choice, choice.recordName)
    const record =
      choice.version === undefined
        ? await this.client.latest(subject)
        : await this.client.version(subject, choice.version)
    const wanted = SCHEMA_TYPE[choice.format]
    if (record.schemaType !== wanted)
      throw schemaError(
        'SCHEMA_TYPE_MISMATCH',
        `Subject "${subject}" holds a ${record.schemaType} schema (id ${record.id}), but the ${choice.part} format is ${choice.format}.`
      )
    const key = `id\u0000${record.id}\u0000${choice.message ?? ''}`
    const cached = this.compiled.get(key)
    if (cached) return { ...cached, subject }
    const references = (await this.client.references(record)).map((r) => ({ name: r.name, schema: r.record.schema }))
    const serializer = build(record.id, subject, compile(choice.format, record.schema, references, choice.message))
    this.compiled.set(key, serializer)
    return serializer
  }

  /** A schema text: compiled here first (a bad one never reaches the registry), then registered. */
  private async fromText(choice: SchemaChoice, text: string): Promise<Serializer> {
    const digest = createHash('sha256').update(text).digest('base64')
    const textKey = `text\u0000${choice.format}\u0000${choice.message ?? ''}\u0000${digest}`
    let compiled = this.texts.get(textKey)
    if (!compiled) {
      compiled = compile(choice.format, text, [], choice.message)
      this.texts.set(textKey, compiled)
    }
    const subject = subjectOf(choice, compiled.recordName)
    const record: SchemaRecord = await this.client.register(subject, {
      schema: text,
      schemaType: SCHEMA_TYPE[choice.format]
    })
    const key = `${textKey}\u0000${subject}\u0000${record.id}`
    const cached = this.compiled.get(key)
    if (cached) return cached
    const serializer = build(record.id, subject, compiled)
    this.compiled.set(key, serializer)
    return serializer
  }
}

/** The subject of a choice: given outright, else from the strategy. */
export function subjectOf(choice: SchemaChoice, recordName: string | undefined): string {
  if (choice.subject) return choice.subject
  if (choice.strategy === 'topic') return `${choice.topic}-${choice.part}`
  if (!recordName)
    throw schemaError(
      'SCHEMA_CHOICE_INVALID',
      `The ${choice.strategy} subject strategy needs the ${choice.part} record name (or a schema text to read it from).`
    )
  return choice.strategy === 'record' ? recordName : `${choice.topic}-${recordName}`
}

function compile(
  format: SchemaFormat,
  schema: string,
  references: { name: string; schema: string }[],
  message?: string
): CompiledSchema {
  switch (format) {
    case 'avro':
      return compileAvro(
        schema,
        references.map((r) => r.schema)
      )
    case 'json-schema':
      return compileJsonSchema(schema, references)
    case 'protobuf':
      return compileProtobuf(schema, references, message)
  }
}

function build(id: number, subject: string, compiled: CompiledSchema): Serializer {
  const header = wireHeader(id, compiled.messageIndexes)
  return {
    id,
    subject,
    label: `${compiled.label}, schema id ${id}`,
    encode(value, field) {
      try {
        return compiled.encodeFramed ? compiled.encodeFramed(header, value) : frame(header, compiled.encode(value))
      } catch (error) {
        if (error instanceof EncodeError) throw encodingFailed(field, error, `${compiled.label}, schema id ${id}`)
        throw error
      }
    }
  }
}
