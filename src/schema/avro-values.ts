/**
 * JSON values → the avsc values of an Avro type, the way users expect (the scalar rules are
 * ./convert.ts's): records with their defaults, unions by the first branch that fits, logical types
 * from ISO text or numbers; whatever does not fit is an EncodeError naming its field path.
 */
import type * as avro from 'avsc'
import {
  isObject,
  toBoolean,
  toBytes,
  toDays,
  toDecimalBytes,
  toDouble,
  toFloat,
  toInt32,
  toSafeLong,
  toText,
  toTimeOfDay,
  toTimestamp,
  toUuid
} from './convert'
import { EncodeError, schemaError, within } from './errors'

/** Converts a JSON value to avsc's value of one type; `strict` while trying the branches of a union. */
export type Converter = (value: unknown, strict: boolean) => unknown

/** A decimal's type: the pass-through logical type of ./avro.ts keeps its precision and scale. */
type DecimalType = avro.types.LogicalType & { precision: number; scale: number }

/** The converter of `type`, built once per schema. */
export const avroConverter = (type: avro.Type): Converter => compile(type, new Map())

function compile(type: avro.Type, seen: Map<avro.Type, Converter>): Converter {
  const known = seen.get(type)
  if (known) return known
  // Recursive types meet themselves while being compiled: refer to the finished converter lazily.
  const ref: { convert?: Converter } = {}
  seen.set(type, (value, strict) => (ref.convert as Converter)(value, strict))
  ref.convert = build(type, seen)
  seen.set(type, ref.convert)
  return ref.convert
}

function build(type: avro.Type, seen: Map<avro.Type, Converter>): Converter {
  const name = type.typeName
  if (name.startsWith('logical:')) return logical(type as avro.types.LogicalType)
  switch (name) {
    case 'null':
      return (value) => {
        if (value === null || value === undefined) return null
        throw new EncodeError('null', value)
      }
    case 'boolean':
      return toBoolean
    case 'int':
      return (value, strict) => toInt32(value, strict)
    case 'long':
      return toSafeLong
    case 'float':
      return toFloat
    case 'double':
      return toDouble
    case 'string':
      return toText
    case 'bytes':
      return toBytes
    case 'fixed': {
      const size = (type as avro.types.FixedType).size
      return (value, strict) => {
        const bytes = toBytes(value, strict)
        if (bytes.length !== size) throw new EncodeError(`${size} bytes as base64 text`, value)
        return bytes
      }
    }
    case 'enum': {
      const symbols = (type as avro.types.EnumType).symbols
      const allowed = new Set(symbols)
      const expected = `one of ${symbols.map((s) => JSON.stringify(s)).join(', ')} (enum ${type.name})`
      return (value) => {
        if (typeof value === 'string' && allowed.has(value)) return value
        throw new EncodeError(expected, value)
      }
    }
    case 'array': {
      const items = compile((type as avro.types.ArrayType).itemsType, seen)
      return (value) => {
        if (!Array.isArray(value)) throw new EncodeError('an array', value)
        return value.map((item, i) => within(i, () => items(item, false)))
      }
    }
    case 'map': {
      const values = compile((type as avro.types.MapType).valuesType, seen)
      return (value) => {
        if (!isObject(value)) throw new EncodeError('an object (map)', value)
        const out: Record<string, unknown> = {}
        for (const key of Object.keys(value)) out[key] = within(key, () => values(value[key], false))
        return out
      }
    }
    case 'record':
    case 'error':
      return record(type as avro.types.RecordType, seen)
    case 'union:wrapped':
      return union(type as avro.types.WrappedUnionType, seen)
    default:
      throw schemaError('SCHEMA_INVALID', `The Avro type "${name}" is not supported.`)
  }
}

interface FieldPlan {
  name: string
  convert: Converter
  nullable: boolean
  hasDefault: boolean
  defaultValue: unknown
  expected: string
}

function record(type: avro.types.RecordType, seen: Map<avro.Type, Converter>): Converter {
  const expected = `an object (record ${type.name})`
  // Built on first use: the fields of a recursive record refer back to it.
  let fields: FieldPlan[] | undefined
  const plan = (): FieldPlan[] =>
    type.fields.map((field) => {
      const defaultValue = field.defaultValue()
      return {
        name: field.name,
        convert: compile(field.type, seen),
        nullable: acceptsNull(field.type),
        hasDefault: defaultValue !== undefined,
        defaultValue,
        expected: describe(field.type)
      }
    })
  return (value) => {
    if (!isObject(value)) throw new EncodeError(expected, value)
    fields ??= plan()
    const out: Record<string, unknown> = {}
    for (const f of fields) {
      const given = value[f.name]
      // Missing, or null where null is not allowed: the field's default, else null if it may be null.
      if (given === undefined || (given === null && !f.nullable)) {
        if (f.hasDefault) out[f.name] = f.defaultValue
        else if (f.nullable) out[f.name] = null
        else throw new EncodeError(`${f.expected} (a required field)`, given, [f.name])
        continue
      }
      try {
        out[f.name] = f.convert(given, false)
      } catch (error) {
        throw error instanceof EncodeError ? error.within(f.name) : error
      }
    }
    return out
  }
}

function union(type: avro.types.WrappedUnionType, seen: Map<avro.Type, Converter>): Converter {
  const branches = type.types
    .filter((t) => t.typeName !== 'null')
    .map((t) => ({ name: t.branchName as string, convert: compile(t, seen) }))
  const byName = new Map(branches.map((b) => [b.name, b]))
  const nullable = branches.length < type.types.length
  const expected = describe(type)
  return (value, strict) => {
    if (value === null || value === undefined) {
      if (nullable) return null
      throw new EncodeError(expected, value)
    }
    // An optional field (null or one type): that type's own error is the most precise.
    if (branches.length === 1) return { [branches[0].name]: branches[0].convert(value, strict) }
    // The first branch the value fits as it is; then the first it can be converted into.
    for (const exact of strict ? [true] : [true, false]) {
      for (const branch of branches) {
        try {
          return { [branch.name]: branch.convert(value, exact) }
        } catch (error) {
          if (!(error instanceof EncodeError)) throw error
        }
      }
    }
    // Avro's JSON encoding of a union value: { "<branch>": value }.
    if (isObject(value)) {
      const keys = Object.keys(value)
      const branch = keys.length === 1 ? byName.get(keys[0]) : undefined
      if (branch) return { [branch.name]: within(keys[0], () => branch.convert(value[keys[0]], false)) }
    }
    throw new EncodeError(expected, value)
  }
}

function logical(type: avro.types.LogicalType): Converter {
  const logicalName = type.typeName.slice('logical:'.length)
  const underlying = type.underlyingType
  switch (logicalName) {
    case 'timestamp-millis':
    case 'local-timestamp-millis':
      return (value, strict) => toTimestamp(value, 'millis', strict)
    case 'timestamp-micros':
    case 'local-timestamp-micros':
      return (value, strict) => toTimestamp(value, 'micros', strict)
    case 'date':
      return toDays
    case 'time-millis':
      return (value) => toTimeOfDay(value, 'millis')
    case 'time-micros':
      return (value) => toTimeOfDay(value, 'micros')
    case 'uuid':
      return toUuid
    case 'decimal': {
      const { precision, scale } = type as DecimalType
      const size = underlying.typeName === 'fixed' ? (underlying as avro.types.FixedType).size : undefined
      return (value) => toDecimalBytes(value, precision, scale, size)
    }
    default:
      return build(underlying, new Map())
  }
}

/** Whether a type takes null: null itself, or a union with a null branch. */
function acceptsNull(type: avro.Type): boolean {
  if (type.typeName === 'null') return true
  return (
    type.typeName === 'union:wrapped' && (type as avro.types.WrappedUnionType).types.some((t) => t.typeName === 'null')
  )
}

/** `a double`, `a timestamp-millis`, `null or one of: string, long` for messages. */
function describe(type: avro.Type): string {
  const name = type.typeName
  if (name === 'union:wrapped') {
    const types = (type as avro.types.WrappedUnionType).types
    const others = types.filter((t) => t.typeName !== 'null').map(describe)
    const nullable = others.length < types.length
    if (others.length === 1) return nullable ? `${others[0]} or null` : others[0]
    return `${nullable ? 'null or ' : ''}one of: ${others.join(', ')}`
  }
  if (name.startsWith('logical:')) return `a ${name.slice(8)}`
  if (type.name) return `a ${name} ${type.name}`
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`
}
