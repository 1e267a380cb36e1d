/**
 * Settings -> (normalised settings, pool key), cached by the VALUES of the settings. actions-core
 * builds a new settings object for every call, so a cache keyed by the object never hits, and
 * normalising (PEM parsing included) plus the digest of connectionKey() would run on every event.
 *
 * The cache key is keyedDigest() of the setting values (a SHA-256 salted with a per-process secret):
 * it never holds a secret in clear. The cache is bounded (LRU).
 */
import { LRUCache } from 'lru-cache'
import { connectionKey, keyedDigest } from '../connection-identity'
import { normaliseSettings, type ConnectionSettings } from '../settings'
import { SETTING_NAMES, type Settings } from '../settings-fields'

export interface ResolvedSettings {
  settings: ConnectionSettings
  /** connectionKey() of the settings: the producer pool's key. */
  key: string
}

export const SETTINGS_CACHE_MAX = 1000

/**
 * The cache key of `raw`: the values of every setting, in the fixed order of SETTING_NAMES (other keys
 * do not change the connection), or undefined when a value is of a type the runtime never sends (not a
 * string, boolean, null or undefined): such settings are normalised without the cache, so two values
 * that JSON would write alike (e.g. a function and null) can never share an entry.
 * null and undefined may share one: normaliseSettings treats them alike.
 */
export function settingsDigest(raw: Settings): string | undefined {
  const r = (raw ?? {}) as unknown as Record<string, unknown>
  const values = new Array<unknown>(SETTING_NAMES.length)
  for (let i = 0; i < SETTING_NAMES.length; i++) {
    const v = r[SETTING_NAMES[i]]
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'boolean') return undefined
    values[i] = v ?? null
  }
  return keyedDigest(JSON.stringify(values), 'base64')
}

export class SettingsCache {
  private readonly cache: LRUCache<string, ResolvedSettings>

  constructor(max = SETTINGS_CACHE_MAX) {
    this.cache = new LRUCache<string, ResolvedSettings>({ max })
  }

  get size(): number {
    return this.cache.size
  }

  /** Normalised settings and pool key of `raw`. Throws the settings error (400) for invalid settings (not cached). */
  resolve(raw: Settings): ResolvedSettings {
    const digest = settingsDigest(raw)
    let resolved = digest === undefined ? undefined : this.cache.get(digest)
    if (!resolved) {
      const settings = normaliseSettings(raw)
      resolved = { settings, key: connectionKey(settings) }
      if (digest !== undefined) this.cache.set(digest, resolved)
    }
    return resolved
  }

  clear(): void {
    this.cache.clear()
  }
}
