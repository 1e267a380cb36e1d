/**
 * Settings -> (normalised settings, pool key), cached by the VALUES of the settings. actions-core
 * builds a new settings object for every call, so a cache keyed by the object never hits, and
 * normalising plus the digest of connectionKey() would run on every event.
 *
 * The cache key is keyedDigest() of the setting values (a SHA-256 salted with a per-process secret):
 * it never holds a secret in clear. The cache is bounded (LRU).
 */
import { LRUCache } from 'lru-cache'
import { connectionKey, keyedDigest } from '../client-config'
import { normaliseSettings, type ConnectionSettings, type Settings } from '../settings'

export interface Connection {
  settings: ConnectionSettings
  /** connectionKey() of the settings: the producer pool's key. */
  key: string
}

export const CONNECTION_CACHE_MAX = 1000

/** Every field normaliseSettings reads, in a fixed order: other keys do not change the connection. */
const FIELDS = [
  'brokers',
  'clientId',
  'mechanism',
  'username',
  'password',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'authorizationIdentity',
  'awsRegion',
  'ssl_enabled',
  'ssl_ca',
  'ssl_cert',
  'ssl_key',
  'ssl_reject_unauthorized_ca',
  'idempotent'
] as const satisfies readonly (keyof Settings)[]

/**
 * The cache key of `raw`, or undefined when a value is of a type the runtime never sends (not a
 * string, boolean, null or undefined): such settings are normalised without the cache, so two values
 * that JSON would write alike (e.g. a function and null) can never share an entry.
 * null and undefined may share one: normaliseSettings treats them alike.
 */
export function settingsDigest(raw: Settings): string | undefined {
  const r = (raw ?? {}) as unknown as Record<string, unknown>
  const values = new Array<unknown>(FIELDS.length)
  for (let i = 0; i < FIELDS.length; i++) {
    const v = r[FIELDS[i]]
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'boolean') return undefined
    values[i] = v ?? null
  }
  return keyedDigest(JSON.stringify(values), 'base64')
}

export class ConnectionCache {
  private readonly cache: LRUCache<string, Connection>

  constructor(max = CONNECTION_CACHE_MAX) {
    this.cache = new LRUCache<string, Connection>({ max })
  }

  get size(): number {
    return this.cache.size
  }

  /** Normalised settings and pool key of `raw`. Throws SettingsError (400) for invalid settings (not cached). */
  resolve(raw: Settings): Connection {
    const digest = settingsDigest(raw)
    let connection = digest === undefined ? undefined : this.cache.get(digest)
    if (!connection) {
      const settings = normaliseSettings(raw)
      connection = { settings, key: connectionKey(settings) }
      if (digest !== undefined) this.cache.set(digest, connection)
    }
    return connection
  }

  clear(): void {
    this.cache.clear()
  }
}
