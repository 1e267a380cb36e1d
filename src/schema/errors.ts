/**
 * The errors of the schema formats, as actions-core errors: registry problems (one list of codes with
 * their statuses) and per-event encoding failures naming the field path and the expected type.
 * Messages name the registry by its URL without credentials, and a user by name: never a password.
 */
import {
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError,
  type CustomErrorCodes
} from '@segment/actions-core'

/** Our codes, with the status each is answered with. Only the first is worth retrying. */
export const SCHEMA_ERROR_STATUS = {
  SCHEMA_REGISTRY_UNAVAILABLE: 503,
  SCHEMA_REGISTRY_AUTHENTICATION_FAILED: 401,
  SCHEMA_REGISTRY_FORBIDDEN: 403,
  SCHEMA_REGISTRY_TLS_FAILED: 400,
  SCHEMA_REGISTRY_ERROR: 400,
  SCHEMA_SUBJECT_NOT_FOUND: 400,
  SCHEMA_VERSION_NOT_FOUND: 400,
  SCHEMA_NOT_FOUND: 400,
  SCHEMA_INCOMPATIBLE: 400,
  SCHEMA_INVALID: 400,
  SCHEMA_TYPE_MISMATCH: 400,
  SCHEMA_CHOICE_INVALID: 400,
  SCHEMA_REGISTRY_NOT_CONFIGURED: 400,
  SCHEMA_ENCODING_FAILED: 400
} as const

export type SchemaErrorCode = keyof typeof SCHEMA_ERROR_STATUS

/** A registry or schema problem: every event that needs this schema fails with it. */
export function schemaError(code: SchemaErrorCode, message: string): Error {
  const status = SCHEMA_ERROR_STATUS[code]
  if (status === 503) {
    const error = new RetryableError(message, 503)
    error.code = code as CustomErrorCodes
    return error
  }
  if (status === 401) return new InvalidAuthenticationError(message, code as CustomErrorCodes)
  return new IntegrationError(message, code, status)
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
export function encodingFailed(field: string, error: EncodeError, schemaLabel: string): PayloadValidationError {
  const where = fieldPath(field, error.path)
  const message = `${where} must be ${error.expected}${error.reason ? ` (${error.reason})` : ''}, got ${describeValue(error.got)} (${schemaLabel}).`
  const result = new PayloadValidationError(message)
  result.code = 'SCHEMA_ENCODING_FAILED'
  return result
}
