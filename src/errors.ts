/**
 * The destination's error vocabulary: the codes this package raises itself, each with the
 * actions-core error class and status it goes with, the builders every module uses to raise them,
 * and errorCode() / errorStatus() to read any error back. Errors of Kafka, kafkajs and the network
 * are mapped onto the same builders by the table in kafka/error-table.ts, with the Kafka name as code.
 */
import {
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError,
  type CustomErrorCodes
} from '@segment/actions-core'

/**
 * How an error is raised: `permanent` IntegrationError (not retried), `payload` PayloadValidationError
 * (400, the event is at fault), `credentials` InvalidAuthenticationError (401), `retryable` RetryableError.
 */
export type ErrorKind = 'permanent' | 'payload' | 'credentials' | 'retryable'

interface CodeInfo {
  kind: ErrorKind
  status: number
}

const permanent = (status = 400): CodeInfo => ({ kind: 'permanent', status })
const retry = (status = 503): CodeInfo => ({ kind: 'retryable', status })
const PAYLOAD: CodeInfo = { kind: 'payload', status: 400 }
const CREDENTIALS: CodeInfo = { kind: 'credentials', status: 401 }

/** Every code this package raises itself (Kafka's own names are passed through as they are). */
export const OWN_CODES = {
  // settings
  INVALID_SETTINGS: permanent(),
  INVALID_PEM: permanent(),
  AWS_CREDENTIALS_MISSING: permanent(),
  AWS_REGION_REQUIRED: permanent(),
  AWS_REGION_MISMATCH: permanent(),
  AWS_REGION_AMBIGUOUS: permanent(),
  INVALID_AWS_REGION: permanent(),
  INVALID_ROLE_ARN: permanent(),
  // AWS IAM at connection time
  AWS_ASSUME_ROLE_DENIED: CREDENTIALS,
  AWS_ASSUME_ROLE_INVALID: permanent(),
  AWS_STS_UNAVAILABLE: retry(),
  AWS_IAM_SIGNER_FAILED: permanent(500),
  // OAuth / OIDC tokens (mechanism oauthbearer) at connection time
  OAUTH_TOKEN_ENDPOINT_UNREACHABLE: retry(),
  OAUTH_TOKEN_ENDPOINT_TIMEOUT: retry(504),
  OAUTH_TOKEN_ENDPOINT_FAILED: retry(),
  OAUTH_TOKEN_THROTTLED: retry(429),
  OAUTH_CLIENT_REJECTED: CREDENTIALS,
  OAUTH_INVALID_SCOPE: permanent(),
  OAUTH_TOKEN_REQUEST_REJECTED: permanent(),
  OAUTH_TOKEN_ENDPOINT_REDIRECT: permanent(),
  OAUTH_TOKEN_RESPONSE_INVALID: permanent(),
  OAUTH_TOKEN_MISSING: permanent(),
  OAUTH_TOKEN_REJECTED: CREDENTIALS,
  // the connection test
  CONNECTION_TIMEOUT: retry(504),
  TLS_REQUIRED: permanent(),
  TLS_NOT_SUPPORTED: permanent(),
  SASL_REQUIRED: CREDENTIALS,
  // one event
  PARTITION_OUT_OF_RANGE: permanent(),
  MESSAGE_TOO_LARGE: PAYLOAD, // over batch_bytes; Kafka's own name for the same refusal
  INVALID_TOPIC_EXCEPTION: PAYLOAD, // a topic name Kafka would refuse, checked before sending
  NOT_ACKNOWLEDGED: retry(),
  // schema registry formats (src/schema/): the registry, the schema, one event's value
  SCHEMA_REGISTRY_UNAVAILABLE: retry(),
  SCHEMA_REGISTRY_AUTHENTICATION_FAILED: CREDENTIALS,
  SCHEMA_REGISTRY_FORBIDDEN: permanent(403),
  SCHEMA_REGISTRY_TLS_FAILED: permanent(),
  SCHEMA_REGISTRY_ERROR: permanent(),
  SCHEMA_REGISTRY_NOT_CONFIGURED: permanent(),
  SCHEMA_SUBJECT_NOT_FOUND: permanent(),
  SCHEMA_VERSION_NOT_FOUND: permanent(),
  SCHEMA_NOT_FOUND: permanent(),
  SCHEMA_INCOMPATIBLE: permanent(),
  SCHEMA_INVALID: permanent(),
  SCHEMA_TYPE_MISMATCH: permanent(),
  SCHEMA_CHOICE_INVALID: permanent(),
  SCHEMA_ENCODING_FAILED: PAYLOAD,
  // anything unrecognised: retried, so nothing is dropped silently
  UNKNOWN_ERROR: retry(500)
} as const satisfies Record<string, CodeInfo>

export type OwnCode = keyof typeof OWN_CODES

/** The code of any error: its `code`, else its name. */
export function errorCode(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | null | undefined
  if (e?.code !== undefined && e.code !== null) return String(e.code)
  return typeof e?.name === 'string' ? e.name : 'UNKNOWN_ERROR'
}

/** The HTTP status of any error: its `status`, else 500. */
export function errorStatus(error: unknown): number {
  const status = (error as { status?: unknown } | null | undefined)?.status
  return typeof status === 'number' ? status : 500
}

export type RetryStatus = ConstructorParameters<typeof RetryableError>[1]

// ---- builders: each sets the code given (ours, or the Kafka name of the error) ----

export function retryable(message: string, code: string, status: RetryStatus = 503): RetryableError {
  const error = new RetryableError(message, status)
  error.code = code as CustomErrorCodes
  return error
}

export function credentials(message: string, code: string): InvalidAuthenticationError {
  return new InvalidAuthenticationError(message, code as CustomErrorCodes)
}

export function invalidPayload(message: string, code: string): PayloadValidationError {
  const error = new PayloadValidationError(message)
  error.code = code
  return error
}

export function rejected(message: string, code: string, status = 400): IntegrationError {
  return new IntegrationError(message, code, status)
}

/** One of our own errors, raised with the class and status its code goes with. */
export function ownError(code: OwnCode, message: string): Error {
  const { kind, status } = OWN_CODES[code] as CodeInfo
  switch (kind) {
    case 'retryable':
      return retryable(message, code, status as RetryStatus)
    case 'credentials':
      return credentials(message, code)
    case 'payload':
      return invalidPayload(message, code)
    case 'permanent':
      return rejected(message, code, status)
  }
}

/** Invalid settings, every problem named in one message (400, before any connection). */
export class SettingsError extends IntegrationError {
  constructor(readonly problems: string[]) {
    super(`Invalid settings: ${problems.join('; ')}.`, 'INVALID_SETTINGS', OWN_CODES.INVALID_SETTINGS.status)
  }
}

/** A PEM setting that cannot be used; the message names the field and never quotes it. */
export class PemError extends IntegrationError {
  constructor(field: string, problem: string) {
    super(`${field} ${problem}`, 'INVALID_PEM', OWN_CODES.INVALID_PEM.status)
  }
}

export const isActionError = (e: unknown): e is Error =>
  e instanceof IntegrationError || e instanceof RetryableError || e instanceof InvalidAuthenticationError
