/**
 * Avro encoding of JSON events with avsc: the schema is parsed once into an avsc type and the tree of
 * converters of ./avro-values.ts (JSON → avsc values, naming the field path of whatever does not fit);
 * avsc then writes the binary encoding, here into a reused buffer behind the wire-format header.
 *
 * avsc (Avro for JavaScript): pure JavaScript, a compiled writer per type (fast), the full Avro
 * specification including named types, recursion and references; used by the Node registry clients
 * too. Unions are wrapped (`{ "long": 5 }`) so the branch written is the one chosen by the converters,
 * not guessed. avsc gets pass-through logical types: the converters handle them, so ISO text is
 * accepted for timestamps and the checks name the field.
 */
import * as avro from 'avsc'
import { avroConverter } from './avro-values'
import { schemaError } from './errors'
import type { CompiledSchema } from './types'

const LOGICAL_NAMES = [
  'decimal',
  'uuid',
  'date',
  'time-millis',
  'time-micros',
  'timestamp-millis',
  'timestamp-micros',
  'local-timestamp-millis',
  'local-timestamp-micros'
]

/** Leaves values as they are: the converters already produced the underlying type's value. */
class PassThrough extends avro.types.LogicalType {
  readonly precision: number
  readonly scale: number

  constructor(schema: avro.Schema, opts?: avro.ForSchemaOptions) {
    super(schema, opts)
    const s = schema as { precision?: unknown; scale?: unknown }
    this.precision = typeof s.precision === 'number' ? s.precision : 0
    this.scale = typeof s.scale === 'number' ? s.scale : 0
  }
  override _fromValue(value: unknown): unknown {
    return value
  }
  override _toValue(value: unknown): unknown {
    return value
  }
  override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    return avro.Type.isType(type, this.underlyingType.typeName) ? (value: unknown) => value : undefined
  }
}

const LOGICAL_TYPES = Object.fromEntries(LOGICAL_NAMES.map((name) => [name, PassThrough])) as unknown as {
  [name: string]: new (schema: avro.Schema, opts?: avro.ForSchemaOptions) => avro.types.LogicalType
}

/** Where records are written before being copied out at their size (encoding is synchronous). */
let scratch = Buffer.allocUnsafe(64 * 1024)

/** Parses an Avro schema (and the schemas it references, dependencies first) and compiles its encoder. */
export function compileAvro(schema: string, references: string[] = []): CompiledSchema {
  const registry: { [name: string]: avro.Type } = {}
  const options: Partial<avro.ForSchemaOptions> = { wrapUnions: true, logicalTypes: LOGICAL_TYPES, registry }
  let type: avro.Type
  try {
    for (const ref of references) avro.Type.forSchema(JSON.parse(ref) as avro.Schema, options)
    type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema, options)
  } catch (error) {
    throw schemaError('SCHEMA_INVALID', `The Avro schema could not be parsed: ${(error as Error).message}`)
  }
  const convert = avroConverter(type)
  return {
    recordName: type.name,
    label: `Avro ${type.name ?? type.typeName}`,
    encode(value) {
      return type.toBuffer(convert(value, false))
    },
    encodeFramed(header, value) {
      const converted = convert(value, false)
      for (;;) {
        header.copy(scratch, 0)
        const end = type.encode(converted, scratch, header.length)
        if (end >= 0) return Buffer.from(scratch.subarray(0, end))
        // Too small: `-end` more bytes were needed.
        scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end))
      }
    }
  }
}
