/**
 * The cluster's topics: the connection test (`testAuthentication`) and the topic list of the
 * `topic` field (`dynamicFields.topic`), on top of the admin calls of kafka/admin.ts.
 */
import type { DynamicFieldResponse, ExecuteInput } from '@segment/actions-core'
import { LRUCache } from 'lru-cache'
import { connectionKey } from './connection-identity'
import { errorCode } from './errors'
import { fetchTopics } from './kafka/admin'
import { toActionError } from './kafka/errors'
import { normaliseSettings, type ConnectionSettings } from './settings'
import type { Settings } from './settings-fields'

/** Topics users can write to: internal ones (`__consumer_offsets`, ...) left out, sorted. */
export function visibleTopics(topics: string[]): string[] {
  return topics.filter((t) => !t.startsWith('__')).sort((a, b) => a.localeCompare(b))
}

export interface TopicListerOptions {
  /** How long a listing is reused for the same connection settings. Default 15 s. */
  ttlMs?: number
  /** How many distinct connection settings are cached. Default 100. */
  max?: number
  timeoutMs?: number
  /** The clock the reuse time is measured on (default `performance`). */
  clock?: { now(): number }
}

export interface TopicLister {
  list(c: ConnectionSettings): Promise<string[]>
  clear(): void
}

/** A topic listing cached per connection key; concurrent calls for the same settings share one request. */
export function createTopicLister(options: TopicListerOptions = {}): TopicLister {
  const cache = new LRUCache<string, Promise<string[]>>({
    max: options.max ?? 100,
    ttl: options.ttlMs ?? 15_000,
    // A given clock is read on every lookup (lru-cache otherwise reuses a reading for 1 ms).
    ...(options.clock && { perf: options.clock, ttlResolution: 0 })
  })
  return {
    list(c) {
      const key = connectionKey(c)
      const cached = cache.get(key)
      if (cached) return cached
      const listing = fetchTopics(c, options.timeoutMs).then(visibleTopics)
      cache.set(key, listing)
      // Failures are not cached: the user is likely fixing the settings right now.
      listing.catch(() => cache.peek(key) === listing && cache.delete(key))
      return listing
    },
    clear: () => cache.clear()
  }
}

const defaultLister = createTopicLister()

/** The `topic` choices; never throws: a failure is `{ choices: [], error }` with the mapped message. */
export async function topicChoices(
  settings: Settings,
  query?: string,
  lister: TopicLister = defaultLister
): Promise<DynamicFieldResponse> {
  try {
    const topics = await lister.list(normaliseSettings(settings))
    const q = query?.trim().toLowerCase()
    const matching = q ? topics.filter((t) => t.toLowerCase().includes(q)) : topics
    return { choices: matching.map((t) => ({ label: t, value: t })) }
  } catch (error) {
    const mapped = toActionError(error)
    return { choices: [], error: { code: errorCode(mapped), message: mapped.message } }
  }
}

/** Ready to plug in as `dynamicFields: { topic: topicDynamicField }`. */
export function topicDynamicField(
  _request: unknown,
  { settings, dynamicFieldContext }: Pick<ExecuteInput<Settings, unknown>, 'settings' | 'dynamicFieldContext'>
): Promise<DynamicFieldResponse> {
  return topicChoices(settings, dynamicFieldContext?.query)
}

/** `testAuthentication`: validates the settings, connects, lists the topics, within 10 s. */
export async function testConnection(settings: Settings): Promise<void> {
  await fetchTopics(normaliseSettings(settings))
}
