/**
 * One call to a schema registry's Confluent-compatible REST API (over ./http.ts), its answer checked:
 * unreachable or 5xx → retryable 503, 401/403 naming the registry and user, unknown subject/version →
 * 400 naming it, incompatible or invalid schema → 400 with the registry's reason (errors of ./errors.ts).
 */
import { schemaError, type SchemaErrorCode } from './errors'
import { RegistryHttp, TransportError, type HttpAnswer, type RegistryEndpoint } from './http'

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF'

export interface SchemaReference {
  name: string
  subject: string
  version: number
}

export interface SchemaRecord {
  id: number
  schema: string
  schemaType: SchemaType
  references: SchemaReference[]
  subject?: string
  version?: number
}

const TLS_CODES = /^(CERT_|ERR_TLS_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_SSL_|HOSTNAME_MISMATCH)/

export interface ErrorContext {
  /** What was asked for, for messages: `subject "orders-value"`. */
  what: string
  subject?: string
  version?: number | 'latest'
  /** What a 403 denied, when it is not reading `what`. */
  action?: string
}

export class RegistryApi {
  private readonly http: RegistryHttp

  constructor(readonly endpoint: RegistryEndpoint) {
    this.http = new RegistryHttp(endpoint)
  }

  /** One request; any status not in `accept` and not 2xx becomes our error. */
  async call(
    method: 'GET' | 'POST',
    path: string,
    context: ErrorContext,
    body?: unknown,
    accept: number[] = []
  ): Promise<HttpAnswer> {
    let answer: HttpAnswer
    try {
      answer = await this.http.request(method, path, body)
    } catch (error) {
      throw this.transportFailure(error as TransportError)
    }
    if ((answer.status >= 200 && answer.status < 300) || accept.includes(answer.status)) return answer
    throw this.statusFailure(answer, context)
  }

  private transportFailure(error: TransportError): Error {
    const url = this.endpoint.url
    if (TLS_CODES.test(error.code))
      return schemaError(
        'SCHEMA_REGISTRY_TLS_FAILED',
        `The TLS certificate of schema registry ${url} could not be verified (${error.code}): set the registry's CA in the settings if it is issued by a private CA.`
      )
    return schemaError(
      'SCHEMA_REGISTRY_UNAVAILABLE',
      `Schema registry ${url} is unreachable: ${error.code} (${error.message}).`
    )
  }

  private statusFailure(answer: HttpAnswer, ctx: ErrorContext): Error {
    const url = this.endpoint.url
    const registryCode = numberField(answer.body, 'error_code')
    const reason = registryMessage(answer.body)
    const user = this.endpoint.username ? `user "${this.endpoint.username}"` : 'no user (no credentials set)'
    const fail = (code: SchemaErrorCode, message: string): Error => schemaError(code, message)
    switch (answer.status) {
      case 401:
        return fail(
          'SCHEMA_REGISTRY_AUTHENTICATION_FAILED',
          `Schema registry ${url} rejected the credentials of ${user} (HTTP 401).`
        )
      case 403:
        return fail(
          'SCHEMA_REGISTRY_FORBIDDEN',
          `Schema registry ${url} does not allow ${user} ${ctx.action ?? `to read ${ctx.what}`} (HTTP 403).`
        )
      case 404:
        if (registryCode === 40401)
          return fail('SCHEMA_SUBJECT_NOT_FOUND', `Subject "${ctx.subject}" not found in schema registry ${url}.`)
        if (registryCode === 40402)
          return fail(
            'SCHEMA_VERSION_NOT_FOUND',
            `Version ${ctx.version} of subject "${ctx.subject}" not found in schema registry ${url}.`
          )
        if (registryCode === 40403) return fail('SCHEMA_NOT_FOUND', `Schema registry ${url} has no ${ctx.what}.`)
        return fail(
          'SCHEMA_REGISTRY_ERROR',
          `Schema registry ${url} answered 404 for ${ctx.what}${reason ? `: ${reason}` : ''}. Is the URL the base of its Confluent-compatible API?`
        )
      case 409:
        return fail(
          'SCHEMA_INCOMPATIBLE',
          `Schema registry ${url} rejected the schema for subject "${ctx.subject}" as incompatible: ${reason || 'no reason given'}.`
        )
      case 422:
        if (registryCode === 42202)
          return fail(
            'SCHEMA_VERSION_NOT_FOUND',
            `Version ${ctx.version} of subject "${ctx.subject}" is not a valid version (schema registry ${url}).`
          )
        return fail(
          'SCHEMA_INVALID',
          `Schema registry ${url} rejected the schema for ${ctx.what}: ${reason || 'no reason given'}.`
        )
      default:
        if (answer.status === 429 || answer.status >= 500)
          return fail(
            'SCHEMA_REGISTRY_UNAVAILABLE',
            `Schema registry ${url} answered HTTP ${answer.status} for ${ctx.what}${reason ? `: ${reason}` : ''}.`
          )
        return fail(
          'SCHEMA_REGISTRY_ERROR',
          `Schema registry ${url} answered HTTP ${answer.status} for ${ctx.what}${reason ? `: ${reason}` : ''}.`
        )
    }
  }

  close(): void {
    this.http.close()
  }
}

export function numberField(body: unknown, name: string): number | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined
  return typeof value === 'number' ? value : undefined
}

function registryMessage(body: unknown): string {
  const message = body && typeof body === 'object' ? (body as Record<string, unknown>).message : undefined
  const text = typeof message === 'string' ? message : typeof body === 'string' ? body : ''
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > 500 ? `${line.slice(0, 497)}...` : line
}

const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF']

export function toRecord(body: unknown, what: string, url: string, id?: number): SchemaRecord {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const schemaId = id ?? (typeof b.id === 'number' ? b.id : undefined)
  const type = b.schemaType === undefined ? 'AVRO' : b.schemaType
  if (schemaId === undefined || typeof b.schema !== 'string' || !SCHEMA_TYPES.includes(type as SchemaType))
    throw schemaError('SCHEMA_REGISTRY_ERROR', `Schema registry ${url} answered ${what} in an unexpected shape.`)
  const references = Array.isArray(b.references)
    ? b.references.filter(
        (r): r is SchemaReference =>
          !!r && typeof r.name === 'string' && typeof r.subject === 'string' && typeof r.version === 'number'
      )
    : []
  return {
    id: schemaId,
    schema: b.schema,
    schemaType: type as SchemaType,
    references,
    version: typeof b.version === 'number' ? b.version : undefined
  }
}
