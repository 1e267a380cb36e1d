/**
 * A small client of the Confluent Schema Registry API (Confluent's own, Apicurio's `/apis/ccompat/v7`,
 * Redpanda's, Karapace's): schemas by subject and version, the latest version re-checked at most once
 * per interval, by id, looked up or registered; the subject and version lists for the UI.
 *
 * Everything immutable (a version, an id, a registration) is cached for good in bounded LRUs;
 * concurrent first uses of the same thing share one request. The requests and their errors are
 * ./registry-api.ts's.
 */
import { LRUCache } from 'lru-cache'
import { schemaError } from './errors'
import type { RegistryEndpoint } from './http'
import {
  numberField,
  RegistryApi,
  toRecord,
  type SchemaRecord,
  type SchemaReference,
  type SchemaType
} from './registry-api'

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

export class RegistryClient {
  private readonly api: RegistryApi
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
    this.api = new RegistryApi(endpoint)
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
      const answer = await this.api.call('GET', `/schemas/ids/${id}`, { what: `schema id ${id}` })
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
      let answer = await this.api.call('POST', path, context, body, [404])
      let version: number | undefined
      if (answer.status === 404) {
        answer = await this.api.call('POST', `${path}/versions`, context, body)
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
    const answer = await this.api.call('GET', '/subjects', { what: 'the subject list' })
    return Array.isArray(answer.body) ? answer.body.filter((s): s is string => typeof s === 'string') : []
  }

  /** The versions of a subject (for the UI; not cached). */
  async versions(subject: string): Promise<number[]> {
    const answer = await this.api.call('GET', `/subjects/${encodeURIComponent(subject)}/versions`, {
      what: `subject "${subject}"`,
      subject
    })
    return Array.isArray(answer.body) ? answer.body.filter((v): v is number => typeof v === 'number') : []
  }

  close(): void {
    this.api.close()
  }

  private async fetchVersion(subject: string, version: number | 'latest'): Promise<SchemaRecord> {
    const what =
      version === 'latest' ? `the latest version of subject "${subject}"` : `version ${version} of subject "${subject}"`
    const answer = await this.api.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`, {
      what,
      subject,
      version
    })
    const record = toRecord(answer.body, what, this.endpoint.url)
    record.subject = subject
    this.byId.set(record.id, record)
    return record
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

const versionKey = (subject: string, version: number): string => `${subject}\u0000${version}`
