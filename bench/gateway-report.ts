/**
 * The gateway rows of a report: the gateway (its own process, loaded by a generator process) against
 * the direct `onBatch` / `onEvent` with as many calls in flight, in events/s and in CPU per event of
 * the process doing the work; the gateway's own CPU is the difference.
 */
import { ratio } from './stats'
import type { Target, WorkloadResult } from './report'

export const GATEWAY_ROWS: Record<string, string> = {
  'gateway-batch-100': '`POST /v1/batch`, 100 events a request, 8 in flight',
  'gateway-batch-500': '`POST /v1/batch`, 500 events a request, 8 in flight',
  'gateway-track-c32': '`POST /v1/track`, one event a request, 32 in flight'
}

/** Events/s the gateway keeps of the direct path, and the CPU it adds per event (µs). */
export interface GatewayRatio {
  eventsPerSec: number | null
  ownCpuUsPerEvent: number | null
}

function medianOf(results: WorkloadResult[], id: string): WorkloadResult['median'] | undefined {
  return results.find((r) => r.workload.id === id)?.median
}

export function gatewayRatios(results: WorkloadResult[]): { ratios: Record<string, GatewayRatio>; targets: Target[] } {
  const ratios: Record<string, GatewayRatio> = {}
  const targets: Target[] = []
  for (const row of Object.keys(GATEWAY_ROWS)) {
    const direct = medianOf(results, `${row}/ours`)
    const gateway = medianOf(results, `${row}/gateway`)
    if (!direct || !gateway) continue
    const own =
      gateway.cpuUsPerEvent !== undefined && direct.cpuUsPerEvent !== undefined
        ? Math.round((gateway.cpuUsPerEvent - direct.cpuUsPerEvent) * 10) / 10
        : null
    ratios[row] = { eventsPerSec: ratio(gateway.eventsPerSec, direct.eventsPerSec), ownCpuUsPerEvent: own }
    if (!row.startsWith('gateway-batch')) continue
    const r = ratios[row]
    targets.push({
      what: `${row}: gateway / direct onBatch (events/s)`,
      measured: r.eventsPerSec,
      wanted: '>= 0.9x',
      met: r.eventsPerSec === null ? null : r.eventsPerSec >= 0.9
    })
    targets.push({
      what: `${row}: the gateway's own CPU per event (gateway process - direct process), µs`,
      measured: own,
      wanted: '< 10',
      met: own === null ? null : own < 10
    })
  }
  return { ratios, targets }
}

function num(value: number | undefined | null, digits = 0): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–'
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

export function gatewayLines(results: WorkloadResult[]): string[] {
  const { ratios } = gatewayRatios(results)
  if (Object.keys(ratios).length === 0) return []
  const lines = [
    '',
    '## The gateway against the direct call',
    '',
    'The gateway (`npm start`’s server) alone in a process, loaded by a generator in another process (bodies ' +
      'serialised before measuring, keep-alive connections); the direct row calls `onBatch` / `onEvent` with as many ' +
      'calls in flight and the mapping the gateway’s config has (the action fields’ defaults filled in). CPU is user + system of the process doing the work (the gateway’s, or the direct caller’s).',
    '',
    '| workload | direct, events/s (p50 / p99 ms) | gateway, events/s (p50 / p99 ms) | gateway / direct | direct CPU µs/ev | gateway CPU µs/ev | gateway’s own µs/ev |',
    '|---|---:|---:|---:|---:|---:|---:|'
  ]
  for (const [row, label] of Object.entries(GATEWAY_ROWS)) {
    const direct = medianOf(results, `${row}/ours`)
    const gateway = medianOf(results, `${row}/gateway`)
    const r = ratios[row]
    if (!direct || !gateway || !r) continue
    const eps = (m: WorkloadResult['median']): string =>
      `${num(m.eventsPerSec)} (${num(m.p50Ms, 2)} / ${num(m.p99Ms, 2)})`
    lines.push(
      `| ${label} | ${eps(direct)} | ${eps(gateway)} | ${r.eventsPerSec === null ? '–' : `${num(r.eventsPerSec, 2)}x`} | ` +
        `${num(direct.cpuUsPerEvent, 1)} | ${num(gateway.cpuUsPerEvent, 1)} | ${num(r.ownCpuUsPerEvent, 1)} |`
    )
  }
  return lines
}
