/**
 * The accounting of a fault run: every event sent is matched with what kcat read back from the
 * topic. Acknowledged but absent is lost; extra copies are duplicates; a key's acknowledged events
 * out of order is a reordering (see countReordered); and the contract is checked by expectNothingLost.
 */
import type { ReadRecord } from './kafka'
import { retryable, type Outcome } from './runtime'

export type SendPath = 'event' | 'batch' | 'both'

export interface KillFigures {
  path: SendPath
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
  /** Acknowledged events of a key found before one acknowledged ahead of them (must be 0). */
  reordered: number
  /** Acknowledged calls that ran wholly inside a window the fault marked as "nothing may be acknowledged". */
  ackedInWindow: number
  /** Error codes seen, with counts, and the first message of each. */
  codes: Record<string, number>
  samples: Record<string, string>
  /** Events sent after the fault, acknowledged / sent; failures and time until the first one landed. */
  after: { sent: number; acknowledged: number; recoveryFailures: number; recoveryMs: number }
  /** How long the fault took; the longest time without any acknowledgement; the slowest call. */
  faultMs: number
  maxAckGapMs: number
  slowestCallMs: number
  ms: number
}

/** What the run knows of one event sent during the stream. */
export interface Sent {
  outcome: Outcome | 'hung'
  key: string
  /** The call (one event, or one batch) and the event's place in it. */
  call: number
  index: number
  startedAt: number
  endedAt: number
}

/** Where the first copy of each seq was found, and how many copies there are. */
export interface Found {
  copies: Map<number, number>
  first: Map<number, { partition: number; offset: number }>
}

export function found(records: ReadRecord[]): Found {
  const copies = new Map<number, number>()
  const first = new Map<number, { partition: number; offset: number }>()
  for (const r of records) {
    const seq = (JSON.parse(r.value ?? '{}') as { properties?: { seq?: number } }).properties?.seq
    if (typeof seq !== 'number') continue
    copies.set(seq, (copies.get(seq) ?? 0) + 1)
    const f = first.get(seq)
    if (!f || (f.partition === r.partition && r.offset < f.offset))
      first.set(seq, { partition: r.partition, offset: r.offset })
  }
  return { copies, first }
}

/**
 * Acknowledged events of one key must appear in the order they were acknowledged: within one call
 * (a batch) in the batch's order, and across calls whenever one call was acknowledged before the
 * other started. Counts the events found before such a predecessor.
 */
export function countReordered(sent: Sent[], f: Found): number {
  const byKey = new Map<string, number[]>()
  sent.forEach((s, seq) => {
    if (s.outcome !== 'hung' && s.outcome.ok && f.first.has(seq)) {
      const list = byKey.get(s.key) ?? []
      list.push(seq)
      byKey.set(s.key, list)
    }
  })
  let reordered = 0
  for (const seqs of byKey.values()) {
    for (const b of seqs) {
      const pb = f.first.get(b)!
      const before = seqs.some((a) => {
        if (a === b) return false
        const sa = sent[a]
        const sb = sent[b]
        const mustPrecede = sa.call === sb.call ? sa.index < sb.index : sa.endedAt < sb.startedAt
        const pa = f.first.get(a)!
        return mustPrecede && pa.partition === pb.partition && pa.offset > pb.offset
      })
      if (before) reordered++
    }
  }
  return reordered
}

export function account(
  figures: KillFigures,
  sent: Sent[],
  f: Found,
  window: { from: number; to: number } | undefined
): void {
  sent.forEach((s, seq) => {
    const n = f.copies.get(seq) ?? 0
    figures.duplicates += Math.max(0, n - 1)
    const r = s.outcome
    if (r === 'hung') return void figures.hung++
    if (r.ok) {
      figures.acknowledged++
      if (n === 0) figures.lost++
      if (window && s.startedAt >= window.from && s.endedAt <= window.to) figures.ackedInWindow++
      return
    }
    const code = `${r.status} ${r.code ?? ''}`.trim()
    figures.codes[code] = (figures.codes[code] ?? 0) + 1
    figures.samples[code] ??= r.message ?? ''
    if (retryable(r.status)) figures.retryableErrors++
    else figures.permanentErrors++
    if (n > 0) figures.failedButWritten++
  })
  figures.reordered = countReordered(sent, f)
  const acks = sent
    .filter((s) => s.outcome !== 'hung' && s.outcome.ok)
    .map((s) => s.endedAt)
    .sort((a, b) => a - b)
  for (let i = 1; i < acks.length; i++) figures.maxAckGapMs = Math.max(figures.maxAckGapMs, acks[i] - acks[i - 1])
  figures.maxAckGapMs = Math.round(figures.maxAckGapMs)
  figures.slowestCallMs = Math.round(sent.reduce((max, s) => Math.max(max, s.endedAt - s.startedAt), 0))
}

/** Prints the figures of a run and checks the contract: nothing acknowledged is lost, nothing hangs. */
export function expectNothingLost(label: string, f: KillFigures): void {
  process.stderr.write(`[reliability] ${label} (${f.path} path): ${JSON.stringify(f)}\n`)
  expect(f.hung).toBe(0)
  expect(f.lost).toBe(0)
  expect(f.permanentErrors).toBe(0)
  expect(f.reordered).toBe(0)
  expect(f.ackedInWindow).toBe(0)
  expect(f.acknowledged + f.retryableErrors).toBe(f.sent)
  expect(f.after.acknowledged).toBe(f.after.sent)
}

/**
 * The contract of idempotent delivery (the default): nothing lost (expectNothingLost) and no event
 * written twice by the producer. The runs never resend a failed event, so every extra copy in the
 * topic is the producer's; an event reported failed yet written is counted apart (failedButWritten:
 * a caller that resends it writes it twice, at least once by design).
 */
export function expectExactlyOnce(label: string, f: KillFigures): void {
  expectNothingLost(label, f)
  expect(f.duplicates).toBe(0)
}
