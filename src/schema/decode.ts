/**
 * Reading records back for people (the console's playground, tail and dead letters): bytes in the
 * Confluent wire format are decoded with their schema, fetched by id through the registry client
 * (Avro with avsc, JSON Schema as JSON, Protobuf with protobufjs); anything else is shown as JSON when it
 * parses, else as text. Never throws: a record that cannot be decoded says why.
 */
import * as avro from 'avsc'
import * as protobuf from 'protobufjs'
import { registryClients, type RegistryClients } from './clients'
import type { SchemaRecord } from './registry-api'
import type { RegistrySettings } from './settings'
import { unframe } from './wire'

export interface Decoded {
  format: 'json' | 'text' | 'avro' | 'json-schema' | 'protobuf' | 'none'
  /** The registry's schema id, for the schema formats. */
  schemaId?: number
  value: unknown
  /** Why the bytes could not be decoded with their schema. */
  error?: string
}

const FORMATS = { AVRO: 'avro', JSON: 'json-schema', PROTOBUF: 'protobuf' } as const

/** Bytes (Buffers) as hex, bigints as text: whatever a decoder returns, as JSON can carry it. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: unknown, _key, v: unknown) {
      if (typeof v === 'bigint') return String(v)
      const raw = v as { type?: string; data?: number[] }
      if (raw && raw.type === 'Buffer' && Array.isArray(raw.data)) return Buffer.from(raw.data).toString('hex')
      return v
    }) ?? 'null'
  )
}

/** The Protobuf message indexes after the schema id, and where the message itself starts. */
function messageIndexes(payload: Buffer): { indexes: number[]; at: number } {
  let at = 0
  const varint = (): number => {
    let n = 0
    let shift = 0
    for (;;) {
      const byte = payload[at++]
      n += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) break
      shift += 7
    }
    return n % 2 ? -(n + 1) / 2 : n / 2
  }
  const count = varint()
  if (count === 0) return { indexes: [0], at }
  const indexes: number[] = []
  for (let i = 0; i < count; i++) indexes.push(varint())
  return { indexes, at }
}

function protobufDecode(
  record: SchemaRecord,
  references: { name: string; schema: string }[],
  payload: Buffer
): unknown {
  const root = new protobuf.Root()
  const options = { keepCase: true }
  for (const ref of references) protobuf.parse(ref.schema, root, options)
  const main = protobuf.parse(record.schema, root, options)
  for (const name of main.imports ?? []) {
    const common = protobuf.common.get(name)
    if (common) root.addJSON(common.nested ?? {})
  }
  root.resolveAll()
  const { indexes, at } = messageIndexes(payload)
  const ns = (main.package ? root.lookup(main.package) : root) as protobuf.Namespace
  let types = ns.nestedArray.filter((t): t is protobuf.Type => t instanceof protobuf.Type)
  let type: protobuf.Type | undefined
  for (const index of indexes) {
    type = types[index]
    if (!type) throw new Error(`message index ${index} not in the schema`)
    types = type.nestedArray.filter((t): t is protobuf.Type => t instanceof protobuf.Type)
  }
  const message = (type as protobuf.Type).decode(payload.subarray(at))
  return (type as protobuf.Type).toObject(message, { longs: String, enums: String, bytes: String, defaults: true })
}

async function schemaDecode(registry: RegistrySettings, bytes: Buffer, clients: RegistryClients): Promise<Decoded> {
  const { id, payload } = unframe(bytes)
  const client = clients.get(registry).client
  const record = await client.byIdentifier(id)
  const format = FORMATS[record.schemaType]
  const references = (await client.references(record)).map((r) => ({ name: r.name, schema: r.record.schema }))
  try {
    if (format === 'json-schema') return { format, schemaId: id, value: JSON.parse(payload.toString('utf8')) }
    if (format === 'protobuf')
      return { format, schemaId: id, value: plain(protobufDecode(record, references, payload)) }
    const registryTypes: { [name: string]: avro.Type } = {}
    const opts = { wrapUnions: true, registry: registryTypes }
    for (const ref of references) avro.Type.forSchema(JSON.parse(ref.schema) as avro.Schema, opts)
    const type = avro.Type.forSchema(JSON.parse(record.schema) as avro.Schema, opts)
    return { format, schemaId: id, value: plain(type.fromBuffer(payload)) }
  } catch (error) {
    return { format, schemaId: id, value: payload.toString('hex'), error: (error as Error).message }
  }
}

/** Decodes a key or value for display; `keyText`: bytes not in the wire format are text, not JSON (keys). */
export async function decodeForDisplay(
  registry: RegistrySettings | undefined,
  bytes: Buffer | string | null | undefined,
  keyText = false,
  clients: RegistryClients = registryClients
): Promise<Decoded> {
  if (bytes === null || bytes === undefined) return { format: 'none', value: null }
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
  if (buffer.length >= 5 && buffer[0] === 0 && registry) {
    try {
      return await schemaDecode(registry, buffer, clients)
    } catch (error) {
      return { format: 'text', value: buffer.toString('hex'), error: (error as Error).message }
    }
  }
  const text = buffer.toString('utf8')
  if (keyText) return { format: 'text', value: text }
  try {
    return { format: 'json', value: JSON.parse(text) }
  } catch {
    return { format: 'text', value: text }
  }
}
