/**
 * Protobuf encoding of JSON events with protobufjs: the `.proto` text from the registry is parsed at
 * run time (with its imports: Google's well-known types, and schemas it references), one message is
 * chosen (named, else the file's first), and a JSON value is converted field by field into that
 * message, naming the path of whatever does not fit.
 *
 * protobufjs: parses `.proto` text in JavaScript (no protoc), encodes plain objects through reflection,
 * and writes 64-bit integers through `long`. @bufbuild/protobuf is the more modern runtime but needs
 * compiled descriptors, which the registry does not give (Apicurio's serialized form is unreliable).
 * Its `fromObject` is not used: it turns wrong values into 0 silently.
 */
import * as protobuf from 'protobufjs'
import { isObject, toBoolean, toBytes, toDouble, toFloat, toInt32, toLong64, toSecondsNanos, toText } from './convert'
import { EncodeError, schemaError, within } from './errors'
import type { CompiledSchema } from './types'

type Converter = (value: unknown) => unknown

const PARSE_OPTIONS: protobuf.IParseOptions = { keepCase: true }

/**
 * Parses `schema` (and the referenced files, dependencies first) and compiles the encoder of message
 * `messageName` (a full or short name), else of the file's first message.
 */
export function compileProtobuf(
  schema: string,
  references: { name: string; schema: string }[] = [],
  messageName?: string
): CompiledSchema {
  const root = new protobuf.Root()
  let main: protobuf.IParserResult
  let outline: protobuf.IParserResult
  try {
    const imports = new Set<string>()
    for (const ref of references) {
      const parsed = protobuf.parse(ref.schema, root, PARSE_OPTIONS)
      for (const name of parsed.imports ?? []) imports.add(name)
    }
    main = protobuf.parse(schema, root, PARSE_OPTIONS)
    for (const name of main.imports ?? []) imports.add(name)
    for (const name of imports) {
      if (references.some((r) => r.name === name)) continue
      const common = protobuf.common.get(name)
      if (!common) throw new Error(`import "${name}" is neither a referenced schema nor a well-known type`)
      root.addJSON(common.nested ?? {})
    }
    root.resolveAll()
    // The main file alone, for the order of its own messages (the Confluent message indexes).
    outline = protobuf.parse(schema, new protobuf.Root(), PARSE_OPTIONS)
  } catch (error) {
    throw schemaError('SCHEMA_INVALID', `The Protobuf schema could not be parsed: ${(error as Error).message}`)
  }
  const { path: indexes, fullName } = chooseMessage(outline, messageName)
  const type = root.lookupType(fullName)
  const convert = message(type, new Map())
  return {
    recordName: fullName,
    label: `Protobuf ${fullName}`,
    messageIndexes: indexes,
    encode(value) {
      return type.encode(convert(value) as Record<string, unknown>).finish()
    }
  }
}

/** The chosen message's full name and its index path among the file's messages. */
function chooseMessage(outline: protobuf.IParserResult, wanted?: string): { path: number[]; fullName: string } {
  const pkg = outline.package ? outline.root.lookup(outline.package) : outline.root
  const top = messagesOf(pkg as protobuf.Namespace)
  if (top.length === 0) throw schemaError('SCHEMA_INVALID', 'The Protobuf schema defines no message.')
  if (!wanted) return { path: [0], fullName: top[0].fullName.slice(1) }
  const target = wanted.replace(/^\./, '')
  const found: { path: number[]; fullName: string }[] = []
  const visit = (types: protobuf.Type[], path: number[]): void =>
    types.forEach((t, i) => {
      const name = t.fullName.slice(1)
      if (name === target || name.endsWith(`.${target}`)) found.push({ path: [...path, i], fullName: name })
      visit(messagesOf(t), [...path, i])
    })
  visit(top, [])
  if (found.length === 0)
    throw schemaError(
      'SCHEMA_INVALID',
      `The Protobuf schema has no message "${wanted}" (it has ${top.map((t) => t.name).join(', ')}).`
    )
  return found.find((f) => f.fullName === target) ?? found[0]
}

function messagesOf(ns: protobuf.NamespaceBase | null): protobuf.Type[] {
  return (ns?.nestedArray ?? []).filter((n): n is protobuf.Type => n instanceof protobuf.Type)
}

const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes'
}

function message(type: protobuf.Type, seen: Map<protobuf.Type, Converter>): Converter {
  const known = seen.get(type)
  if (known) return known
  const fullName = type.fullName.slice(1)
  let built: Converter | undefined
  seen.set(type, (value) => (built as Converter)(value))
  if (fullName === 'google.protobuf.Timestamp') built = toSecondsNanos
  else if (WRAPPERS[fullName]) {
    const inner = scalar(WRAPPERS[fullName])
    built = (value) => ({ value: inner(value) })
  } else if (fullName === 'google.protobuf.Struct') built = struct
  else if (fullName === 'google.protobuf.Value') built = jsonValue
  else if (fullName === 'google.protobuf.ListValue') built = listValue
  else built = fields(type, seen)
  seen.set(type, built)
  return built
}

interface FieldPlan {
  name: string
  jsonName: string
  convert: Converter
  required: boolean
  oneof?: string
}

function fields(type: protobuf.Type, seen: Map<protobuf.Type, Converter>): Converter {
  const expected = `an object (message ${type.fullName.slice(1)})`
  let plans: FieldPlan[] | undefined
  const plan = (): FieldPlan[] =>
    type.fieldsArray.map((f) => ({
      name: f.name,
      jsonName: camelCase(f.name),
      convert: field(f, seen),
      required: f.required,
      oneof: f.partOf && !f.partOf.name.startsWith('_') ? f.partOf.name : undefined
    }))
  return (value) => {
    if (!isObject(value)) throw new EncodeError(expected, value)
    plans ??= plan()
    const out: Record<string, unknown> = {}
    const oneofs = new Map<string, string>()
    for (const f of plans) {
      const given = value[f.name] !== undefined ? value[f.name] : value[f.jsonName]
      if (given === undefined || given === null) {
        if (f.required) throw new EncodeError('present (a required field)', given, [f.name])
        continue
      }
      if (f.oneof) {
        const other = oneofs.get(f.oneof)
        if (other) throw new EncodeError(`set alone (it is in oneof ${f.oneof} with "${other}")`, given, [f.name])
        oneofs.set(f.oneof, f.name)
      }
      try {
        out[f.name] = f.convert(given)
      } catch (error) {
        throw error instanceof EncodeError ? error.within(f.name) : error
      }
    }
    return out
  }
}

function field(f: protobuf.Field, seen: Map<protobuf.Type, Converter>): Converter {
  const one = single(f.resolvedType, f.type, seen)
  if (f.map) {
    const keyType = (f as unknown as protobuf.MapField).keyType
    const key = mapKey(keyType)
    return (value) => {
      if (!isObject(value)) throw new EncodeError('an object (map)', value)
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(value)) out[within(k, () => key(k))] = within(k, () => one(value[k]))
      return out
    }
  }
  if (f.repeated)
    return (value) => {
      if (!Array.isArray(value)) throw new EncodeError('an array', value)
      return value.map((item, i) => within(i, () => one(item)))
    }
  return one
}

function single(
  resolved: protobuf.Type | protobuf.Enum | null,
  typeName: string,
  seen: Map<protobuf.Type, Converter>
): Converter {
  if (resolved instanceof protobuf.Type) return message(resolved, seen)
  if (resolved instanceof protobuf.Enum) return enumeration(resolved)
  return scalar(typeName)
}

function enumeration(e: protobuf.Enum): Converter {
  const numbers = new Set(Object.values(e.values))
  const expected = `one of ${Object.keys(e.values)
    .map((k) => JSON.stringify(k))
    .join(', ')} (enum ${e.fullName.slice(1)})`
  return (value) => {
    if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(e.values, value)) return e.values[value]
    if (typeof value === 'number' && numbers.has(value)) return value
    throw new EncodeError(expected, value)
  }
}

function scalar(type: string): Converter {
  switch (type) {
    case 'double':
      return (v) => toDouble(v)
    case 'float':
      return (v) => toFloat(v)
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return (v) => toInt32(v)
    case 'uint32':
    case 'fixed32':
      return (v) => toInt32(v, false, true)
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return (v) => toLong64(v)
    case 'uint64':
    case 'fixed64':
      return (v) => toLong64(v, false, true)
    case 'bool':
      return (v) => toBoolean(v)
    case 'string':
      return (v) => toText(v)
    case 'bytes':
      return (v) => toBytes(v)
    default:
      throw schemaError('SCHEMA_INVALID', `The Protobuf type "${type}" is not supported.`)
  }
}

/** Map keys are object keys (text): checked as their key type; 64-bit ones in protobufjs's hash form. */
function mapKey(keyType: string): (key: string) => string {
  if (keyType === 'string') return (k) => k
  if (keyType === 'bool') return (k) => String(toBoolean(k))
  if (/64$/.test(keyType)) {
    const unsigned = keyType === 'uint64' || keyType === 'fixed64'
    return (k) => protobuf.util.LongBits.from(toLong64(k, false, unsigned)).toHash()
  }
  return (k) => String(toInt32(k, false, keyType === 'uint32' || keyType === 'fixed32'))
}

/** google.protobuf.Struct / Value / ListValue from any JSON. */
function struct(value: unknown): unknown {
  if (!isObject(value)) throw new EncodeError('an object (google.protobuf.Struct)', value)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = within(key, () => jsonValue(value[key]))
  return { fields: out }
}

function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return { nullValue: 0 }
  if (typeof value === 'number') return { numberValue: value }
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (Array.isArray(value)) return { listValue: listValue(value) }
  return { structValue: struct(value) }
}

function listValue(value: unknown): unknown {
  if (!Array.isArray(value)) throw new EncodeError('an array (google.protobuf.ListValue)', value)
  return { values: value.map((v, i) => within(i, () => jsonValue(v))) }
}

const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
