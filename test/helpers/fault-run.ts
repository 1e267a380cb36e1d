/**
 * A fault in the middle of a stream, sent through the destination as a runtime does (onEvent with
 * concurrency, onBatch, or both at once). Events carry a sequence number and a key; once a share of
 * them has settled the fault runs (kill a broker, restart nodes...), then the same process sends again,
 * the topic is read back with kcat and every event is accounted for (./fault-figures.ts).
 */
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createTestEvent, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import { account, found, type KillFigures, type Sent, type SendPath } from './fault-figures'
import type { ReadRecord } from './kafka'
import { inParallel, retryable, runtime, sendBatch, sendEvent, within, type Outcome } from './runtime'

export interface FaultTarget {
  /** PLAINTEXT bootstrap list given to the destination. */
  bootstrap: string
  createTopic(topic: string, partitions: number): Promise<string>
  readTopic(topic: string): Promise<ReadRecord[]>
}

export interface FaultContext {
  topic: string
  /** Marks [from, to] (performance.now()) as a time when no call may be acknowledged. */
  noAcksBetween(from: number, to: number): void
  /** Events returned so far as failed with a retryable error. */
  retryableFailures(): number
}

export interface RunOptions {
  path: SendPath
  events: number
  /** Calls in flight: events (event path, and the event half of 'both') or batches (batch path). */
  concurrency: number
  /** Batches in flight beside the events on the 'both' path (default 2). */
  batchConcurrency?: number
  batchSize?: number
  /** Fraction of the events settled when the fault starts. */
  faultAt?: number
  fault(ctx: FaultContext): Promise<void>
  /** Runs once the topic exists, before the first event is sent. */
  beforeStream?: (topic: string) => Promise<void>
  /** Keep sending past `events` while the fault is still running (at most 100 times `events`). */
  untilFaultDone?: boolean
  /** At most this many events per second (default: as fast as the calls go). */
  rate?: number
  /** Longest a single call may take before it counts as hung. */
  callTimeoutMs?: number
  partitions?: number
  /** Events sent after the fault, which must all succeed. */
  afterEvents?: number
  /** Extra settings (e.g. idempotent) and mapping fields (e.g. timeout). */
  settings?: JSONObject
  mapping?: JSONObject
  name?: string
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function faultRun(target: FaultTarget, o: RunOptions): Promise<KillFigures> {
  const started = Date.now()
  const name = o.name ?? 'fault'
  const topic = await target.createTopic(`${name}-${o.path}-${randomUUID().slice(0, 8)}`, o.partitions ?? 3)
  await o.beforeStream?.(topic)
  const dest = runtime()
  const settings: JSONObject = {
    brokers: target.bootstrap,
    mechanism: 'none',
    ssl_enabled: false,
    clientId: `${name}-${o.path}-${randomUUID().slice(0, 8)}`,
    ...o.settings
  }
  const size = o.batchSize ?? 100
  const mapping: JSONObject = {
    topic,
    payload: { '@path': '$.' },
    key: { '@path': '$.userId' },
    batch_size: size,
    ...o.mapping
  }
  const key = (seq: number): string => `user-${seq % 97}`
  const event = (seq: number): SegmentEvent =>
    createTestEvent({ userId: key(seq), messageId: `m-${seq}`, properties: { seq } })
  const callTimeout = o.callTimeoutMs ?? 120_000
  const sent: Sent[] = []
  let settled = 0
  let retryableFailures = 0
  const count = (outcome: Outcome | 'hung'): void => {
    settled++
    if (outcome !== 'hung' && !outcome.ok && retryable(outcome.status)) retryableFailures++
  }
  let fault: Promise<void> | undefined
  let faultDone = false
  let faultMs = 0
  let window: { from: number; to: number } | undefined
  const startFault = (): void => {
    if (fault || settled < o.events * (o.faultAt ?? 0.3)) return
    const t = performance.now()
    const ctx: FaultContext = {
      topic,
      noAcksBetween: (from, to) => void (window = { from, to }),
      retryableFailures: () => retryableFailures
    }
    fault = o.fault(ctx).finally(() => {
      faultDone = true
      faultMs = Math.round(performance.now() - t)
    })
  }

  let next = 0
  let calls = 0
  const streamStart = performance.now()
  const take = async (n: number): Promise<number[]> => {
    if (o.rate) {
      const due = streamStart + (next / o.rate) * 1000
      if (due > performance.now()) await sleep(due - performance.now())
    }
    const limit = o.untilFaultDone && !faultDone ? o.events * 100 : o.events
    if (next >= limit || (o.untilFaultDone && next >= o.events && !fault)) return []
    const from = next
    next = Math.min(next + n, limit)
    return Array.from({ length: next - from }, (_, i) => from + i)
  }
  const eventWorker = async (): Promise<void> => {
    for (let seqs = await take(1); seqs.length; seqs = await take(1)) {
      const seq = seqs[0]
      const call = calls++
      const t = performance.now()
      const outcome = await within(callTimeout, sendEvent(dest, settings, mapping, event(seq))).catch(
        () => 'hung' as const
      )
      sent[seq] = { outcome, key: key(seq), call, index: 0, startedAt: t, endedAt: performance.now() }
      count(outcome)
      startFault()
    }
  }
  const batchWorker = async (): Promise<void> => {
    for (let seqs = await take(size); seqs.length; seqs = await take(size)) {
      const call = calls++
      const t = performance.now()
      const results = await within(callTimeout, sendBatch(dest, settings, mapping, seqs.map(event))).catch(() =>
        seqs.map(() => 'hung' as const)
      )
      const end = performance.now()
      seqs.forEach((seq, j) => {
        sent[seq] = { outcome: results[j], key: key(seq), call, index: j, startedAt: t, endedAt: end }
        count(results[j])
      })
      startFault()
    }
  }
  const workers: Promise<void>[] = []
  const eventWorkers = o.path === 'batch' ? 0 : o.concurrency
  const batchWorkers = o.path === 'event' ? 0 : o.path === 'batch' ? o.concurrency : (o.batchConcurrency ?? 2)
  for (let i = 0; i < eventWorkers; i++) workers.push(eventWorker())
  for (let i = 0; i < batchWorkers; i++) workers.push(batchWorker())
  await Promise.all(workers)
  // A stream faster than the fault still sees it: its absence would make the run meaningless.
  if (!fault) throw new Error('the fault never started during the stream')
  await fault

  // After the fault, the same process (same Destination, same pool) sends again.
  const first = sent.length
  const afterCount = o.afterEvents ?? 50
  let recoveryFailures = 0
  const recoveryStart = performance.now()
  const deadline = Date.now() + 120_000
  let firstOutcome: Outcome
  for (;;) {
    firstOutcome = await sendEvent(dest, settings, mapping, event(first))
    if (firstOutcome.ok || Date.now() > deadline) break
    recoveryFailures++
    await sleep(500)
  }
  const recoveryMs = Math.round(performance.now() - recoveryStart)
  const afterSeqs = Array.from({ length: afterCount - 1 }, (_, i) => first + 1 + i)
  const afterOutcomes =
    o.path === 'batch'
      ? await sendBatch(dest, settings, mapping, afterSeqs.map(event))
      : await inParallel(afterSeqs, o.concurrency, (seq) => sendEvent(dest, settings, mapping, event(seq)))
  const afterResults = [firstOutcome, ...afterOutcomes]

  const f = found(await target.readTopic(topic))
  const figures: KillFigures = {
    path: o.path,
    sent: sent.length,
    acknowledged: 0,
    retryableErrors: 0,
    permanentErrors: 0,
    hung: 0,
    lost: 0,
    duplicates: 0,
    failedButWritten: 0,
    reordered: 0,
    ackedInWindow: 0,
    codes: {},
    samples: {},
    after: { sent: afterCount, acknowledged: 0, recoveryFailures, recoveryMs },
    faultMs,
    maxAckGapMs: 0,
    slowestCallMs: 0,
    ms: 0
  }
  account(figures, sent, f, window)
  // Events sent after the fault count only if acknowledged and in the topic.
  afterResults.forEach((r, i) => {
    if (r.ok && f.copies.has(first + i)) figures.after.acknowledged++
  })
  figures.ms = Date.now() - started
  return figures
}
