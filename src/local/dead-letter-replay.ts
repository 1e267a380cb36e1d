/**
 * Reading and replaying the dead-letter topic (dead-letters.ts writes it). A dead letter is the failed
 * event as JSON with headers naming the error; replaying runs the event through the subscription that
 * failed it, as configured now (after the mapping was fixed). Each dead letter is replayed once: a
 * replay that delivers writes a marker, keyed by the dead letter's partition and offset, to the
 * compacted topic `<dead-letter topic>.replayed`, and a dead letter with a marker is skipped. A replay
 * that fails again leaves no marker (it can be replayed after the next fix) and writes no new dead letter.
 */
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import { errorCode } from '../errors'
import { createTopic } from '../kafka/cluster'
import { readToEnd, type ConsumedRecord } from '../kafka/reader'
import { normaliseSettings } from '../settings'
import { mappingWithDefaults } from './config-file'
import { DEAD_LETTER_HEADERS as H } from './dead-letters'
import { nodeResult } from './results'
import type { LocalRunner } from './startup'
import { runEvent } from './subscriptions'

/** Most records read from each partition of the dead-letter topic (the newest). */
export const DEAD_LETTERS_READ_MAX = 1000

export interface DeadLetterView {
  partition: number
  offset: string
  key: string | null
  code: string
  status: string
  message: string
  subscription: string
  writeKey: string
  failedAt: string
  event: unknown
  /** Set once the dead letter was replayed and delivered. */
  replayed?: { at: string; topic?: string; partition?: number; offset?: string }
}

export interface ReplayOutcome {
  partition: number
  offset: string
  code: string
  subscription: string
  outcome: 'replayed' | 'already replayed' | 'failed'
  delivered?: unknown
  error?: { status: number; code?: string; message?: string }
}

export type ReplaySelection = { records: { partition: number; offset: string }[] } | { code: string }

const UNKNOWN_TOPIC = 'UNKNOWN_TOPIC_OR_PARTITION'

const refOf = (partition: number, offset: string): string => `${partition}:${offset}`

function viewOf(r: ConsumedRecord): DeadLetterView {
  const h = r.headers
  let event: unknown = null
  try {
    event = JSON.parse(r.value?.toString('utf8') ?? 'null')
  } catch {
    event = r.value?.toString('utf8') ?? null
  }
  return {
    partition: r.partition,
    offset: r.offset,
    key: r.key?.toString('utf8') ?? null,
    code: h[H.code] ?? '',
    status: h[H.status] ?? '',
    message: h[H.message] ?? '',
    subscription: h[H.subscription] ?? '',
    writeKey: h[H.writeKey] ?? '',
    failedAt: h[H.time] ?? '',
    event
  }
}

export class DeadLetterReplay {
  readonly markerTopic: string
  private readonly markerMapping: JSONObject
  /** Replays run one at a time, so that two of them never deliver the same dead letter. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly runner: LocalRunner,
    readonly topic: string
  ) {
    this.markerTopic = `${topic}.replayed`
    this.markerMapping = mappingWithDefaults(runner.definition, 'send', {
      topic: this.markerTopic,
      key: { '@path': '$.ref' },
      payload: { '@path': '$.' }
    })
  }

  private connection() {
    return normaliseSettings(this.runner.config.settings as never)
  }

  private async markers(): Promise<Map<string, DeadLetterView['replayed']>> {
    const out = new Map<string, DeadLetterView['replayed']>()
    let records: ConsumedRecord[]
    try {
      records = await readToEnd(this.connection(), this.markerTopic, Number.MAX_SAFE_INTEGER)
    } catch (error) {
      if (errorCode(error) === UNKNOWN_TOPIC) return out // nothing replayed yet
      throw error
    }
    for (const r of records) {
      const marker = JSON.parse(r.value?.toString('utf8') ?? '{}') as { ref: string; at: string; delivered?: never }
      out.set(marker.ref, { at: marker.at, ...(marker.delivered ?? {}) })
    }
    return out
  }

  /** The dead letters (newest DEAD_LETTERS_READ_MAX of each partition), with their replay markers. */
  async list(code?: string): Promise<DeadLetterView[]> {
    const [records, markers] = await Promise.all([
      readToEnd(this.connection(), this.topic, DEAD_LETTERS_READ_MAX).catch((error: unknown) => {
        if (errorCode(error) === UNKNOWN_TOPIC) return [] // no dead letter yet
        throw error
      }),
      this.markers()
    ])
    return records
      .map(viewOf)
      .filter((v) => code === undefined || v.code === code)
      .map((v) => {
        const replayed = markers.get(refOf(v.partition, v.offset))
        return replayed ? { ...v, replayed } : v
      })
  }

  replay(selection: ReplaySelection): Promise<ReplayOutcome[]> {
    const run = this.queue.then(() => this.replayNow(selection))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async replayNow(selection: ReplaySelection): Promise<ReplayOutcome[]> {
    const letters = await this.list()
    const wanted =
      'code' in selection
        ? letters.filter((l) => l.code === selection.code)
        : selection.records.map((s) => {
            const found = letters.find((l) => l.partition === s.partition && l.offset === s.offset)
            if (!found)
              throw Object.assign(new Error(`no dead letter at partition ${s.partition} offset ${s.offset}`), {
                status: 404,
                code: 'DEAD_LETTER_NOT_FOUND'
              })
            return found
          })
    const outcomes: ReplayOutcome[] = []
    for (const letter of wanted) {
      const base = {
        partition: letter.partition,
        offset: letter.offset,
        code: letter.code,
        subscription: letter.subscription
      }
      if (letter.replayed) {
        outcomes.push({ ...base, outcome: 'already replayed', delivered: letter.replayed })
        continue
      }
      outcomes.push({ ...base, ...(await this.replayOne(letter)) })
    }
    return outcomes
  }

  private async replayOne(letter: DeadLetterView): Promise<Pick<ReplayOutcome, 'outcome' | 'delivered' | 'error'>> {
    const { destination, config } = this.runner
    const subscription = config.subscriptions.find((s) => s.name === letter.subscription)
    if (!subscription) {
      const message = `the config has no subscription "${letter.subscription}" any more`
      return { outcome: 'failed', error: { status: 400, code: 'SUBSCRIPTION_NOT_FOUND', message } }
    }
    const result = await runEvent(
      destination,
      { ...config, subscriptions: [subscription] },
      letter.event as SegmentEvent
    )
    const delivery = result.deliveries[0]
    if (!delivery) {
      const message = `subscription "${letter.subscription}" does not match the event any more`
      return { outcome: 'failed', error: { status: 400, code: 'NOT_SUBSCRIBED', message } }
    }
    if (!delivery.ok)
      return { outcome: 'failed', error: { status: delivery.status, code: delivery.code, message: delivery.message } }
    const marked = await this.mark(letter, delivery.data)
    if (!marked.ok) {
      const message = `delivered, but the replay marker was not written (a later replay would deliver it again): ${marked.message ?? ''}`
      return {
        outcome: 'replayed',
        delivered: delivery.data,
        error: { status: marked.status, code: marked.code, message }
      }
    }
    return { outcome: 'replayed', delivered: delivery.data }
  }

  private async mark(letter: DeadLetterView, delivered: unknown) {
    const { destination, config } = this.runner
    await createTopic(this.connection(), {
      topic: this.markerTopic,
      partitions: 1,
      replicationFactor: -1,
      config: { 'cleanup.policy': 'compact' }
    }).catch(() => false) // exists already (or cannot be created: the write below says why)
    const marker = { ref: refOf(letter.partition, letter.offset), at: new Date().toISOString(), delivered }
    try {
      const [node] = await destination.executeBatch('send', {
        events: [marker as unknown as SegmentEvent],
        mapping: this.markerMapping,
        settings: config.settings
      })
      return nodeResult(node)
    } catch (error) {
      return { ok: false, status: 500, message: (error as Error).message, code: undefined }
    }
  }
}
