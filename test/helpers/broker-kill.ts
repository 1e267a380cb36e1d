/**
 * The "broker killed mid-stream" scenario, shared by the fast version (npm test) and the long one
 * (npm run test:reliability). Events carry a sequence number; while they are sent (per event with
 * concurrency, or in batches), the broker is SIGKILLed and started again with its data. Afterwards
 * the topic is read back with kcat and every event is accounted for.
 */
import { randomUUID } from 'node:crypto'
import { createTestEvent, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import type { OwnBroker } from './fault-broker'
import { plaintextAt } from './settings'
import { inParallel, retryable, runtime, sendBatch, sendEvent, within, type Outcome } from './runtime'

export interface KillOptions {
  path: 'event' | 'batch'
  events: number
  /** Calls in flight: events (per-event path) or batches (batch path). */
  concurrency: number
  batchSize?: number
  /** Fraction of the events settled when the broker is killed. */
  killAt?: number
  /** How long the broker stays down before it is started again. */
  downMs?: number
  /** Longest a single call may take before it counts as hung. */
  callTimeoutMs?: number
  partitions?: number
  /** Events sent after the restart, which must all succeed. */
  afterEvents?: number
}

export interface KillFigures {
  path: 'event' | 'batch'
  sent: number
  acknowledged: number
  /** Returned as an error the runtime retries. */
  retryableErrors: number
  /** Returned as an error the runtime drops (must be 0: nothing about these events is wrong). */
  permanentErrors: number
  /** Calls that did not settle within callTimeoutMs (must be 0). */
  hung: number
  /** Acknowledged but absent from the topic (must be 0). */
  lost: number
  /** Extra copies in the topic (at-least-once: a retried request may have been written before). */
  duplicates: number
  /** Reported as failed but present in the topic: the caller's retry will duplicate them. */
  failedButWritten: number
  /** Error codes seen, with counts, and the first message of each. */
  codes: Record<string, number>
  samples: Record<string, string>
  /** Events sent after the restart, acknowledged / sent; and the failures seen while reconnecting. */
  after: { sent: number; acknowledged: number; recoveryFailures: number }
  ms: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function brokerKillRun(b: OwnBroker, o: KillOptions): Promise<KillFigures> {
  const started = Date.now()
  const topic = await b.createTopic(`kill-${o.path}-${randomUUID().slice(0, 8)}`, o.partitions ?? 3)
  const dest = runtime()
  const settings: JSONObject = plaintextAt(b.bootstrap, { clientId: `kill-${o.path}-${randomUUID().slice(0, 8)}` })
  const mapping: JSONObject = {
    topic,
    payload: { '@path': '$.' },
    key: { '@path': '$.userId' },
    batch_size: o.batchSize ?? 100
  }
  const event = (seq: number): SegmentEvent =>
    createTestEvent({ userId: `user-${seq % 97}`, messageId: `m-${seq}`, properties: { seq } })
  const callTimeout = o.callTimeoutMs ?? 120_000
  const outcomes = new Array<Outcome | 'hung'>(o.events)
  let settled = 0
  let fault: Promise<void> | undefined
  const maybeKill = (): void => {
    settled++
    if (fault || settled < o.events * (o.killAt ?? 0.3)) return
    fault = (async () => {
      await b.kill()
      await sleep(o.downMs ?? 2000)
      await b.start()
    })()
  }

  const seqs = Array.from({ length: o.events }, (_, i) => i)
  if (o.path === 'event') {
    await inParallel(seqs, o.concurrency, async (seq) => {
      outcomes[seq] = await within(callTimeout, sendEvent(dest, settings, mapping, event(seq))).catch(
        () => 'hung' as const
      )
      maybeKill()
    })
  } else {
    const size = o.batchSize ?? 100
    const batches = Array.from({ length: Math.ceil(o.events / size) }, (_, i) => seqs.slice(i * size, (i + 1) * size))
    await inParallel(batches, o.concurrency, async (batch) => {
      const results = await within(callTimeout, sendBatch(dest, settings, mapping, batch.map(event))).catch(() =>
        batch.map(() => 'hung' as const)
      )
      batch.forEach((seq, j) => {
        outcomes[seq] = results[j]
        maybeKill()
      })
    })
  }
  // A stream faster than the kill still sees the fault: its absence would make the run meaningless.
  if (!fault) throw new Error('the broker was never killed during the stream')
  await fault

  // After the restart, the same process (same Destination, same pool) sends again.
  const afterCount = o.afterEvents ?? 50
  let recoveryFailures = 0
  const deadline = Date.now() + 60_000
  let first: Outcome
  for (;;) {
    first = await sendEvent(dest, settings, mapping, event(o.events))
    if (first.ok || Date.now() > deadline) break
    recoveryFailures++
    await sleep(500)
  }
  const afterSeqs = Array.from({ length: afterCount - 1 }, (_, i) => o.events + 1 + i)
  const afterOutcomes =
    o.path === 'event'
      ? await inParallel(afterSeqs, o.concurrency, (seq) => sendEvent(dest, settings, mapping, event(seq)))
      : await sendBatch(dest, settings, mapping, afterSeqs.map(event))
  const afterResults = [first, ...afterOutcomes]

  const records = await b.readTopic(topic)
  const copies = new Map<number, number>()
  for (const r of records) {
    const seq = (JSON.parse(r.value ?? '{}') as { properties?: { seq?: number } }).properties?.seq
    if (typeof seq === 'number') copies.set(seq, (copies.get(seq) ?? 0) + 1)
  }

  const figures: KillFigures = {
    path: o.path,
    sent: o.events,
    acknowledged: 0,
    retryableErrors: 0,
    permanentErrors: 0,
    hung: 0,
    lost: 0,
    duplicates: 0,
    failedButWritten: 0,
    codes: {},
    samples: {},
    after: { sent: afterCount, acknowledged: 0, recoveryFailures },
    ms: 0
  }
  outcomes.forEach((r, seq) => {
    const n = copies.get(seq) ?? 0
    figures.duplicates += Math.max(0, n - 1)
    if (r === 'hung') return void figures.hung++
    if (r.ok) {
      figures.acknowledged++
      if (n === 0) figures.lost++
      return
    }
    const code = `${r.status} ${r.code ?? ''}`.trim()
    figures.codes[code] = (figures.codes[code] ?? 0) + 1
    figures.samples[code] ??= r.message ?? ''
    if (retryable(r.status)) figures.retryableErrors++
    else figures.permanentErrors++
    if (n > 0) figures.failedButWritten++
  })
  // Events sent after the restart count only if acknowledged and in the topic.
  afterResults.forEach((r, i) => {
    if (r.ok && copies.has(o.events + i)) figures.after.acknowledged++
  })
  figures.ms = Date.now() - started
  return figures
}

/** Prints the figures of a run and checks the contract: nothing acknowledged is lost, nothing hangs. */
export function expectNothingLost(label: string, f: KillFigures): void {
  process.stderr.write(`[reliability] ${label} (${f.path} path): ${JSON.stringify(f)}\n`)
  expect(f.hung).toBe(0)
  expect(f.lost).toBe(0)
  expect(f.permanentErrors).toBe(0)
  expect(f.acknowledged + f.retryableErrors).toBe(f.sent)
  expect(f.after.acknowledged).toBe(f.after.sent)
}
