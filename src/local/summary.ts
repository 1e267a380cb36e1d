/**
 * Counting outcomes: how many events were sent, failed (by reason) or not subscribed. The `/events`
 * answer for an array and the CLI's report are both this summary.
 */
import type { EventResult } from './results'

export interface EventOutcome {
  status: 'sent' | 'failed' | 'not subscribed'
  /**
   * One entry per subscription the event matched. `repeat`: the subscription had acknowledged this
   * event already (an SDK's retry), so it was not sent again (see acknowledged-ids.ts).
   */
  deliveries: (EventResult & { subscription: string; repeat?: true })[]
}

export interface Summary {
  total: number
  sent: number
  failed: number
  notSubscribed: number
  /** Failure reason (`<status> <code>: <message>`) -> number of events. */
  failures: Record<string, number>
}

export function emptySummary(): Summary {
  return { total: 0, sent: 0, failed: 0, notSubscribed: 0, failures: {} }
}

export function reasonOf(result: EventResult): string {
  return `${result.status}${result.code ? ` ${result.code}` : ''}: ${result.message ?? 'failed'}`
}

/**
 * Adds outcomes to a summary (mutates and returns it). `onFailure` hears the reason and the index of each
 * failed outcome (the CLI notes its line number).
 */
export function summarise(
  outcomes: EventOutcome[],
  summary: Summary = emptySummary(),
  onFailure?: (reason: string, index: number) => void
): Summary {
  outcomes.forEach((o, i) => {
    if (o.status === 'sent') {
      summary.total++
      summary.sent++
    } else if (o.status === 'not subscribed') {
      summary.total++
      summary.notSubscribed++
    } else {
      const reason = reasonOf(o.deliveries.find((d) => !d.ok) ?? o.deliveries[0])
      addFailure(summary, reason)
      onFailure?.(reason, i)
    }
  })
  return summary
}

/** Adds one failure that happened before the mapping engine (e.g. a line that is not JSON). */
export function addFailure(summary: Summary, reason: string): void {
  summary.total++
  summary.failed++
  summary.failures[reason] = (summary.failures[reason] ?? 0) + 1
}
