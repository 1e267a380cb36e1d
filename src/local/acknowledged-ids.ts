/**
 * The gateway's memory of what Kafka acknowledged, so that an SDK's retry is not written twice: per
 * write-key name and subscription, the `messageId`s of events a subscription delivered, with what it
 * answered. The SDKs resend a whole batch after a 5xx; on the repeat, an event goes only to the
 * subscriptions that have not acknowledged it yet, and the others answer success from this memory.
 *
 * Bounded: at most `maxIds` ids (the least recently seen go first) and none older than `windowMs`.
 * One process's memory: several gateway instances behind a load balancer each remember only what they
 * delivered themselves (see docs/reliability.md).
 */
import { LRUCache } from 'lru-cache'

export interface DedupWindow {
  /** Ids remembered at most (0 turns the memory off). */
  maxIds: number
  /** How long an id is remembered. */
  windowMs: number
}

/** An SDK retries within minutes; a day covers a client that was offline for a while. */
export const DEFAULT_DEDUP_WINDOW: DedupWindow = { maxIds: 1_000_000, windowMs: 24 * 3600_000 }

/** The JSON schema of `server.dedup` in the config file (part of config-file.ts's ajv schema). */
export const DEDUP_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxIds: { type: 'integer', minimum: 0, maximum: 50_000_000 },
    windowSeconds: { type: 'integer', minimum: 1, maximum: 30 * 24 * 3600 }
  }
} as const

export interface DedupConfig {
  maxIds?: number
  windowSeconds?: number
}

export function dedupWindow(config: DedupConfig | undefined): DedupWindow {
  return {
    maxIds: config?.maxIds ?? DEFAULT_DEDUP_WINDOW.maxIds,
    windowMs: config?.windowSeconds !== undefined ? config.windowSeconds * 1000 : DEFAULT_DEDUP_WINDOW.windowMs
  }
}

/** What a subscription answered for an event it delivered (returned again on a repeat). */
export type Acknowledgement = unknown

export class AcknowledgedIds {
  private readonly cache?: LRUCache<string, { data: Acknowledgement }>
  /** A short number per write-key name and subscription (both come from the config: few), as key prefix. */
  private readonly pairs = new Map<string, number>()

  /** `now`: the clock of the window (milliseconds; a parameter for tests). */
  constructor(
    readonly window: DedupWindow = DEFAULT_DEDUP_WINDOW,
    now?: () => number
  ) {
    if (window.maxIds > 0) {
      // The count bound as maxSize (each id weighs 1) rather than max: with max, lru-cache allocates
      // its arrays for every id up front (tens of MB for a million); this way they grow with use.
      // No timer per entry: an id past its window is dropped when looked up, or pushed out by the bound.
      this.cache = new LRUCache({
        maxSize: window.maxIds,
        sizeCalculation: () => 1,
        ttl: window.windowMs,
        updateAgeOnGet: false,
        ...(now ? { perf: { now }, ttlResolution: 0 } : {})
      })
    }
  }

  get size(): number {
    return this.cache?.size ?? 0
  }

  /** What the subscription answered when it delivered this event, if it did within the window. */
  get(writeKey: string, subscription: string, messageId: string): { data: Acknowledgement } | undefined {
    return this.cache?.get(this.key(writeKey, subscription, messageId))
  }

  remember(writeKey: string, subscription: string, messageId: string, data: Acknowledgement): void {
    this.cache?.set(this.key(writeKey, subscription, messageId), { data })
  }

  private key(writeKey: string, subscription: string, messageId: string): string {
    const pair = JSON.stringify([writeKey, subscription])
    let n = this.pairs.get(pair)
    if (n === undefined) this.pairs.set(pair, (n = this.pairs.size))
    return `${n}:${messageId}`
  }
}
