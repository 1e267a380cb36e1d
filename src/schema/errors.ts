/**
 * The errors of the schema formats: registry and schema problems (codes in src/errors.ts's one list)
 * and per-event encoding failures naming the field path and the expected type.
 * Messages name the registry by its URL without credentials, and a user by name: never a password.
 */
import { invalidPayload, ownError, type OwnCode } from '../errors'

/** Our codes for the schema formats: the SCHEMA_* rows of the one list in src/errors.ts. */
export type SchemaErrorCode = Extract<OwnCode, `SCHEMA_${string}`>

/** A registry or schema problem: every event that needs this schema fails with it. */
export function schemaError(code: SchemaErrorCode, message: string): Error {
  return ownError(code, message)
}

/**
 * A value that does not fit the schema. Thrown by the encoders with the path inside the value; the
 * caller prefixes the mapping field (`payload`, `key`) and turns it into a PayloadValidationError.
 */
export class EncodeError extends Error {
  /** Path segments from the root of the encoded value, innermost last. */
  readonly path: (string | number)[]

  constructor(
    readonly expected: string,
    readonly got: unknown,
    path: (string | number)[] = [],
    readonly reason?: string
  ) {
    super(expected)
    this.path = path
  }

  /** The same error one level further out (`segment` is the field or index it happened in). */
  within(segment: string | number): EncodeError {
    this.path.unshift(segment)
    return this
  }
}

/** Runs `convert`, adding `segment` to the path of an EncodeError it throws. */
export function within<T>(segment: string | number, convert: () => T): T {
  try {
    return convert()
  } catch (error) {
    if (error instanceof EncodeError) throw error.within(segment)
    throw error
  }
}

/** `payload.properties.items[2].sku` from a field name and path segments. */
export function fieldPath(field: string, path: readonly (string | number)[]): string {
  let out = field
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

/** What was given, shortly: `"abc"`, `12.5`, `an object`, `missing`. Values are event data, not secrets. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** The per-event 400 for a value that does not fit its schema. */
export function encodingFailed(field: string, error: EncodeError, schemaLabel: string): Error {
  const where = fieldPath(field, error.path)
  const message = `${where} must be ${error.expected}${error.reason ? ` (${error.reason})` : ''}, got ${describeValue(error.got)} (${schemaLabel}).`
  return invalidPayload(message, 'SCHEMA_ENCODING_FAILED')
}
