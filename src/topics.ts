/**
 * The cluster's topics: the connection test (`testAuthentication`) and the topic list of the
 * `topic` field (`dynamicFields.topic`). Every admin client is disconnected when done, whatever happens.
 */
import type { DynamicFieldResponse, ExecuteInput } from '@segment/actions-core'
import { RetryableError, type CustomErrorCodes } from '@segment/actions-core'
import type { Socket } from 'node:net'
import { Kafka, type Admin, type ISocketFactory } from 'kafkajs'
import { LRUCache } from 'lru-cache'
import { connectionKey, kafkaConfig, socketFactory as baseSocketFactory } from './client-config'
import { diagnoseProtocolMismatch } from './diagnose'
import { rootCause, rowFor, toActionError } from './errors'
import { normaliseSettings, type ConnectionSettings, type Settings } from './settings'

/** The connection test and a topic listing give up after this long. */
export const CONNECTION_TEST_TIMEOUT_MS = 10_000
const DISCONNECT_WAIT_MS = 500

function timeoutError(c: ConnectionSettings, ms: number): RetryableError {
  const error = new RetryableError(`No answer from brokers ${c.brokers.join(', ')} within ${ms / 1000} s.`, 504)
  error.code = 'CONNECTION_TIMEOUT' as CustomErrorCodes
  return error
}

/** Connects an admin client, lists the topics, disconnects. Throws mapped (actions-core) errors. */
export async function fetchTopics(c: ConnectionSettings, timeoutMs = CONNECTION_TEST_TIMEOUT_MS): Promise<string[]> {
  const config = kafkaConfig(c)
  // One attempt per bootstrap broker (kafkajs moves to the next one on retry), quickly.
  const retry = { retries: Math.min(c.brokers.length, 3), initialRetryTime: 100, maxRetryTime: 1000 }
  // Sockets are tracked so that none outlives the call, even one stuck on a request never answered.
  const sockets = new Set<Socket>()
  const socketFactory: ISocketFactory = (args) => {
    const socket = baseSocketFactory(args)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    return socket
  }
  const admin = new Kafka({ ...config, retry, socketFactory }).admin()
  let timer: NodeJS.Timeout | undefined
  // The whole call, the closing wait included, stays within timeoutMs.
  const deadline = Date.now() + timeoutMs - DISCONNECT_WAIT_MS
  const work = admin.connect().then(() => admin.listTopics())
  work.catch(() => undefined) // it may settle after the timeout; its outcome is then ignored
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(c, timeoutMs)), deadline - Date.now())
    })
    return await Promise.race([work, timeout])
  } catch (error) {
    throw await explain(error, c, deadline - Date.now())
  } finally {
    clearTimeout(timer)
    await disconnect(admin)
    for (const socket of sockets) socket.destroy()
  }
}

/**
 * kafkajs's disconnect waits for requests in flight, which after a timeout may never be answered:
 * wait for it briefly, and let it finish on its own after that.
 */
async function disconnect(admin: Admin): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const done = admin.disconnect().catch(() => undefined)
  await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, DISCONNECT_WAIT_MS)))])
  clearTimeout(timer)
}

/**
 * Maps the error, and confirms a protocol mismatch (TLS vs plaintext) with a probe when one is
 * suspected and `budgetMs` leaves time for it (the probe's answer is not waited for past it).
 */
async function explain(error: unknown, c: ConnectionSettings, budgetMs: number): Promise<Error> {
  const mapped = toActionError(error, { settings: c })
  const suspect = ['TLS spoken to a plaintext port', 'connection closed by the broker'].includes(rowFor(error).case)
  if (!suspect || budgetMs <= 0) return mapped
  const broker = (rootCause(error) as { broker?: string }).broker ?? c.brokers[0]
  let timer: NodeJS.Timeout | undefined
  const outOfTime = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), budgetMs)
  })
  try {
    return (await Promise.race([diagnoseProtocolMismatch(broker, c), outOfTime])) ?? mapped
  } finally {
    clearTimeout(timer)
  }
}

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
    const mapped = toActionError(error) as Error & { code?: string }
    return { choices: [], error: { code: String(mapped.code ?? 'UNKNOWN_ERROR'), message: mapped.message } }
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
