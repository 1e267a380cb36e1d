/**
 * A small client of the Confluent Schema Registry API (Confluent's own, Apicurio's `/apis/ccompat/v7`,
 * Redpanda's, Karapace's): schemas by subject and version, the latest version re-checked at most once
 * per interval, by id, looked up or registered; the subject and version lists for the UI.
 *
 * Everything immutable (a version, an id, a registration) is cached for good in bounded LRUs;
 * concurrent first uses of the same thing share one request. Failures become the errors of
 * ./errors.ts: unreachable or 5xx → retryable 503, 401/403 naming the registry and user, unknown
 * subject/version → 400 naming it, incompatible or invalid schema → 400 with the registry's reason.
 */
import { LRUCache } from 'lru-cache'
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

export interface RegistryClientOptions {
  /** How long the latest version of a subject is used before it is asked for again. Default 30 s. */
  latestTtlMs?: number
  /** After a failed re-check of a cached latest version, wait this long before asking again. Default 5 s. */
  retryAfterMs?: number
  /** Entries in each cache. Default 1000. */
  cacheMax?: number
  now?: () => number
}

interface Latest {
  record: SchemaRecord
  /** When to ask the registry again. */
  recheckAt: number
}

export const DEFAULT_LATEST_TTL_MS = 30_000

const TLS_CODES = /^(CERT_|ERR_TLS_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_SSL_|HOSTNAME_MISMATCH)/

export class RegistryClient {
  private readonly http: RegistryHttp
  private readonly latestTtlMs: number
  private readonly retryAfterMs: number
  private readonly now: () => number
  private readonly byId: LRUCache<number, SchemaRecord>
  private readonly byVersion: LRUCache<string, SchemaRecord>
  private readonly registered: LRUCache<string, SchemaRecord>
  private readonly latestBySubject: LRUCache<string, Latest>
  private readonly inflight = new Map<string, Promise<unknown>>()

  constructor(
    readonly endpoint: RegistryEndpoint,
    options: RegistryClientOptions = {}
  ) {
    this.http = new RegistryHttp(endpoint)
    this.latestTtlMs = options.latestTtlMs ?? DEFAULT_LATEST_TTL_MS
    this.retryAfterMs = options.retryAfterMs ?? 5000
    this.now = options.now ?? Date.now
    const max = options.cacheMax ?? 1000
    this.byId = new LRUCache({ max })
    this.byVersion = new LRUCache({ max })
    this.registered = new LRUCache({ max })
    this.latestBySubject = new LRUCache({ max })
  }

  /** The subject's latest version: cached, asked for again after the interval. */
  async latest(subject: string): Promise<SchemaRecord> {
    const cached = this.latestBySubject.get(subject)
    const now = this.now()
    if (cached && now < cached.recheckAt) return cached.record
    try {
      return await this.share(`latest\u0000${subject}`, async () => {
        const record = await this.fetchVersion(subject, 'latest')
        this.latestBySubject.set(subject, { record, recheckAt: this.now() + this.latestTtlMs })
        this.byVersion.set(versionKey(subject, record.version ?? 0), record)
        return record
      })
    } catch (error) {
      // A registry that is briefly unreachable does not stop a subject already known: keep its
      // latest version a little longer. Any other answer (deleted subject, revoked user) is final.
      if (cached && (error as { code?: unknown }).code === 'SCHEMA_REGISTRY_UNAVAILABLE') {
        cached.recheckAt = this.now() + this.retryAfterMs
        return cached.record
      }
      throw error
    }
  }

  /** A pinned version of a subject: immutable, cached for good. */
  version(subject: string, version: number): Promise<SchemaRecord> {
    const key = versionKey(subject, version)
    const cached = this.byVersion.get(key)
    if (cached) return Promise.resolve(cached)
    return this.share(`version\u0000${key}`, async () => {
      const record = await this.fetchVersion(subject, version)
      this.byVersion.set(key, record)
      return record
    })
  }

  /** A schema by its global id. */
  byIdentifier(id: number): Promise<SchemaRecord> {
    const cached = this.byId.get(id)
    if (cached) return Promise.resolve(cached)
    return this.share(`id\u0000${id}`, async () => {
      const answer = await this.call('GET', `/schemas/ids/${id}`, { what: `schema id ${id}` })
      const record = toRecord(answer.body, `schema id ${id}`, this.endpoint.url, id)
      this.byId.set(id, record)
      return record
    })
  }

  /**
   * The id of `schema` under `subject`: looked up first (works with read-only credentials), registered
   * when the subject does not have it yet. Cached per subject and schema text.
   */
  register(
    subject: string,
    schema: { schema: string; schemaType: SchemaType; references?: SchemaReference[] }
  ): Promise<SchemaRecord> {
    const key = `${subject}\u0000${schema.schemaType}\u0000${schema.schema}\u0000${JSON.stringify(schema.references ?? [])}`
    const cached = this.registered.get(key)
    if (cached) return Promise.resolve(cached)
    return this.share(`register\u0000${key}`, async () => {
      const body = {
        schema: schema.schema,
        schemaType: schema.schemaType,
        ...(schema.references?.length ? { references: schema.references } : {})
      }
      const path = `/subjects/${encodeURIComponent(subject)}`
      const context = {
        what: `subject "${subject}"`,
        subject,
        action: `registering a schema under subject "${subject}"`
      }
      let answer = await this.call('POST', path, context, body, [404])
      let version: number | undefined
      if (answer.status === 404) {
        answer = await this.call('POST', `${path}/versions`, context, body)
      } else {
        version = numberField(answer.body, 'version')
      }
      const id = numberField(answer.body, 'id')
      if (id === undefined)
        throw schemaError(
          'SCHEMA_REGISTRY_ERROR',
          `Schema registry ${this.endpoint.url} answered without an id for subject "${subject}".`
        )
      const record: SchemaRecord = {
        id,
        schema: schema.schema,
        schemaType: schema.schemaType,
        references: schema.references ?? [],
        subject,
        version
      }
      this.registered.set(key, record)
      return record
    })
  }

  /** The referenced schemas of `record`, dependencies first, each once (for the encoders to parse). */
  async references(record: SchemaRecord): Promise<{ name: string; record: SchemaRecord }[]> {
    const out: { name: string; record: SchemaRecord }[] = []
    const seen = new Set<string>()
    const visit = async (refs: SchemaReference[], depth: number): Promise<void> => {
      if (depth > 32) throw schemaError('SCHEMA_INVALID', 'Schema references nest more than 32 levels deep.')
      for (const ref of refs) {
        if (seen.has(ref.name)) continue
        seen.add(ref.name)
        const referenced = await this.version(ref.subject, ref.version)
        await visit(referenced.references, depth + 1)
        out.push({ name: ref.name, record: referenced })
      }
    }
    await visit(record.references, 0)
    return out
  }

  /** The registry's subjects (for the UI; not cached). */
  async subjects(): Promise<string[]> {
    const answer = await this.call('GET', '/subjects', { what: 'the subject list' })
    return Array.isArray(answer.body) ? answer.body.filter((s): s is string => typeof s === 'string') : []
  }

  /** The versions of a subject (for the UI; not cached). */
  async versions(subject: string): Promise<number[]> {
    const answer = await this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions`, {
      what: `subject "${subject}"`,
      subject
    })
    return Array.isArray(answer.body) ? answer.body.filter((v): v is number => typeof v === 'number') : []
  }

  close(): void {
    this.http.close()
  }

  private async fetchVersion(subject: string, version: number | 'latest'): Promise<SchemaRecord> {
    const what =
      version === 'latest' ? `the latest version of subject "${subject}"` : `version ${version} of subject "${subject}"`
    const answer = await this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`, {
      what,
      subject,
      version
    })
    const record = toRecord(answer.body, what, this.endpoint.url)
    record.subject = subject
    this.byId.set(record.id, record)
    return record
  }

  /** One request; any status not in `accept` and not 2xx becomes our error. */
  private async call(
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

  /** Concurrent callers of the same key share one promise; it is forgotten once settled. */
  private share<T>(key: string, run: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key)
    if (running) return running as Promise<T>
    const promise = run().finally(() => this.inflight.delete(key))
    this.inflight.set(key, promise)
    return promise
  }
}

interface ErrorContext {
  /** What was asked for, for messages: `subject "orders-value"`. */
  what: string
  subject?: string
  version?: number | 'latest'
  /** What a 403 denied, when it is not reading `what`. */
  action?: string
}

const versionKey = (subject: string, version: number): string => `${subject}\u0000${version}`

function numberField(body: unknown, name: string): number | undefined {
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

function toRecord(body: unknown, what: string, url: string, id?: number): SchemaRecord {
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
