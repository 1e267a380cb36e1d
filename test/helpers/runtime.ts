/**
 * Drives the destination as an actions runtime does: `new Destination(definition)` with settings that
 * carry the subscription, `onEvent` (an error is thrown) and `onBatch` (a multistatus per event). Every
 * call ends as an Outcome: ok, or the status and code the runtime would act on, and whether the
 * runtime retries it (5xx except 501, and 408/423/429, as actions-core decides).
 */
import { Destination, type JSONObject, type Logger, type SegmentEvent, type StatsContext } from '@segment/actions-core'
import definition from '../../src'
import type { Settings } from '../../src/settings-fields'

export interface Outcome {
  ok: boolean
  status: number
  code?: string
  message?: string
  /** The thrown error (onEvent) or the multistatus entry (onBatch). */
  error?: unknown
}

export const retryable = (status: number): boolean =>
  (status >= 500 && status !== 501) || status === 408 || status === 423 || status === 429

export interface CallOptions {
  logger?: Logger
  statsContext?: StatsContext
}

export function runtime(): Destination<Settings> {
  return new Destination(definition)
}

export function subscribed(settings: JSONObject, mapping: JSONObject): JSONObject {
  return { ...settings, subscription: { subscribe: 'type = "track"', partnerAction: 'send', mapping } }
}

function failure(error: unknown): Outcome {
  const e = error as { status?: unknown; code?: unknown; message?: unknown; response?: { status?: unknown } }
  const status = typeof e?.status === 'number' ? e.status : 500
  return {
    ok: false,
    status,
    code: e?.code === undefined ? (error as Error)?.name : String(e.code),
    message: typeof e?.message === 'string' ? e.message : String(error),
    error
  }
}

export async function sendEvent(
  dest: Destination<Settings>,
  settings: JSONObject,
  mapping: JSONObject,
  event: SegmentEvent,
  options: CallOptions = {}
): Promise<Outcome> {
  try {
    await dest.onEvent(event, subscribed(settings, mapping), options)
    return { ok: true, status: 200 }
  } catch (error) {
    return failure(error)
  }
}

interface MultiStatusEntry {
  status: number
  errortype?: string
  errormessage?: string
  body?: { code?: string }
}

export async function sendBatch(
  dest: Destination<Settings>,
  settings: JSONObject,
  mapping: JSONObject,
  events: SegmentEvent[],
  options: CallOptions = {}
): Promise<Outcome[]> {
  try {
    const [result] = (await dest.onBatch(events, subscribed(settings, mapping), options)) as unknown as {
      multistatus: MultiStatusEntry[]
    }[]
    return result.multistatus.map((m) =>
      m.status >= 200 && m.status < 300
        ? { ok: true, status: m.status }
        : { ok: false, status: m.status, code: m.body?.code ?? m.errortype, message: m.errormessage, error: m }
    )
  } catch (error) {
    // A thrown batch fails every event with the same error (e.g. invalid settings).
    return events.map(() => failure(error))
  }
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight; results in input order. */
export async function inParallel<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>) {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

/** Rejects with a clear message if `promise` takes longer than `ms` (a hang is a failure, not a wait). */
export function within<T>(ms: number, promise: Promise<T>, what = 'call'): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
    })
  ])
}

/** Everything a Logger is asked to write, as text lines. */
export function capturingLogger(lines: string[]): Logger {
  const write =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ')}`)
  const logger = {
    level: 'debug',
    name: 'capture',
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    crit: write('crit'),
    log: write('log'),
    withMetadata: () => logger,
    withTags: () => logger
  }
  return logger as unknown as Logger
}

export interface StatCall {
  method: string
  metric: string
  value: unknown
  tags: string[]
}

/** A StatsContext whose client records every call (metric, value and tags). */
export function capturingStats(calls: StatCall[], tags: string[] = []): StatsContext {
  const record = (method: string) => (metric: string, value?: unknown, callTags?: string[]) =>
    calls.push({ method, metric, value, tags: [...(callTags ?? [])] })
  const statsClient = {
    incr: record('incr'),
    histogram: record('histogram'),
    set: record('set'),
    observe: record('observe'),
    timing: record('timing'),
    gauge: record('gauge'),
    _name: (name: string) => name,
    _tags: (t?: string[]) => t ?? []
  }
  return { statsClient: statsClient as unknown as StatsContext['statsClient'], tags: [...tags] }
}

export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
