/**
 * JSON Schema: the value is validated with ajv (draft-07 by default; 2019-09 and 2020-12 by their
 * `$schema`), formats checked with ajv-formats, defaults filled in for missing properties, then
 * written as JSON text. The first violation is a 400 naming its path.
 *
 * ajv: the fastest and most used JSON Schema validator for Node (compiles a schema into a function),
 * already this project's validator of config files; ajv-formats is its companion for `format`.
 */
import Ajv, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv'
import Ajv2019 from 'ajv/dist/2019'
import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { EncodeError, schemaError } from './errors'
import type { CompiledSchema } from './types'

/** Parses and compiles a JSON Schema (with the schemas it references, by their reference names). */
export function compileJsonSchema(schema: string, references: { name: string; schema: string }[] = []): CompiledSchema {
  let validate: ValidateFunction
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(schema) as Record<string, unknown>
    const draft = typeof parsed.$schema === 'string' ? parsed.$schema : ''
    const options = { strict: false, allErrors: false, useDefaults: true }
    const ajv = draft.includes('2020-12')
      ? new Ajv2020(options)
      : draft.includes('2019-09')
        ? new Ajv2019(options)
        : new Ajv(options)
    addFormats(ajv)
    for (const ref of references) ajv.addSchema(JSON.parse(ref.schema) as AnySchema, ref.name)
    validate = ajv.compile(parsed)
  } catch (error) {
    throw schemaError('SCHEMA_INVALID', `The JSON Schema could not be compiled: ${(error as Error).message}`)
  }
  // Defaults are filled in by ajv in place: only then is the event copied, so it is never changed.
  const fillsDefaults = schema.includes('"default"')
  const title = typeof parsed.title === 'string' ? parsed.title : undefined
  return {
    recordName: title,
    label: `JSON Schema${title ? ` ${title}` : ''}`,
    encode(value) {
      const data = fillsDefaults && value !== null && typeof value === 'object' ? structuredClone(value) : value
      if (!validate(data)) throw toEncodeError((validate.errors ?? [])[0], data)
      return Buffer.from(JSON.stringify(data))
    }
  }
}

function toEncodeError(error: ErrorObject | undefined, data: unknown): EncodeError {
  if (!error) return new EncodeError('valid against the schema', data)
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  const segments: (string | number)[] = []
  let node: unknown = data
  for (const s of path) {
    segments.push(Array.isArray(node) && /^\d+$/.test(s) ? Number(s) : s)
    node = at(node, [s])
  }
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return new EncodeError('present (a required property)', undefined, [...segments, String(p.missingProperty)])
    case 'type':
      return new EncodeError(`of type ${String(p.type).replace(/,/g, ' or ')}`, node, segments)
    case 'enum':
      return new EncodeError(
        `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        node,
        segments
      )
    case 'const':
      return new EncodeError(JSON.stringify(p.allowedValue), node, segments)
    case 'format':
      return new EncodeError(`text in the "${String(p.format)}" format`, node, segments)
    case 'additionalProperties':
      return new EncodeError(
        'absent (no additional properties are allowed)',
        at(node, [String(p.additionalProperty)]),
        [...segments, String(p.additionalProperty)]
      )
    default:
      return new EncodeError('valid against the schema', node, segments, error.message)
  }
}

function at(node: unknown, path: string[]): unknown {
  let current = node
  for (const s of path)
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[s] : undefined
  return current
}
