/**
 * A full run set beside the previous full run (results/latest.json before it is overwritten): ours
 * against the bare actions-core destination, row by row, in events/s and in client CPU per event, so
 * a slowdown of ours shows as a ratio that moved, whatever the machine's speed on the day (both
 * columns are measured in the same run each time).
 */
import * as fs from 'node:fs'
import type { Report, WorkloadResult } from './report'

/** Per row: ours / bare in events/s (higher is better) and in CPU per event (lower is better). */
export type BareRatios = Record<string, { eventsPerSec: number | null; cpuPerEvent: number | null }>

export interface Previous {
  date: string
  ratios: BareRatios
  /** The previous run was taken on a busy machine: not compared. */
  busy?: boolean
}

const ROWS = ['event-c1', 'event-c32', 'batch-100', 'batch-1000']

export function bareRatios(workloads: WorkloadResult[]): BareRatios {
  const median = (id: string) => workloads.find((w) => w.workload.id === id)?.median
  const ratios: BareRatios = {}
  for (const row of ROWS) {
    const ours = median(`${row}/ours`)
    const bare = median(`${row}/core-kafkajs`)
    if (!ours || !bare) continue
    const of = (a?: number, b?: number): number | null => (a && b ? a / b : null)
    ratios[row] = {
      eventsPerSec: of(ours.eventsPerSec, bare.eventsPerSec),
      cpuPerEvent: of(ours.cpuUsPerEvent, bare.cpuUsPerEvent)
    }
  }
  return ratios
}

/** The previous full run's date and ratios, if there is one. */
export function readPrevious(file: string): Previous | undefined {
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Report>
    if (report.quick || !report.date || !report.workloads) return undefined
    return { date: report.date, ratios: bareRatios(report.workloads), ...(report.machine?.busy ? { busy: true } : {}) }
  } catch {
    return undefined
  }
}

const fmt = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : `${n.toFixed(2)}x`)

/** Markdown lines: ours / bare actions-core, then and now. */
export function comparisonLines(
  previous: Previous | undefined,
  workloads: WorkloadResult[],
  labels: Record<string, string>,
  busyNow = false
): string[] {
  if (!previous) return []
  if (busyNow || previous.busy) {
    const which = busyNow ? 'this run was' : `the previous full run (${previous.date}) was`
    return ['', `## Against the previous full run`, '', `Not compared: ${which} taken on a busy machine.`]
  }
  const now = bareRatios(workloads)
  const lines = [
    '',
    `## Against the previous full run (${previous.date})`,
    '',
    'Ours / the bare actions-core destination, each measured in the same run as the bare one, so the machine’s ' +
      'speed on the day cancels out. Events/s of single runs vary by about ±15% here; the client CPU per event is ' +
      'the steadier of the two (lower is better).',
    '',
    '| workload | events/s, previous | events/s, this run | CPU per event, previous | CPU per event, this run |',
    '|---|---:|---:|---:|---:|'
  ]
  for (const row of ROWS) {
    const then = previous.ratios[row]
    const current = now[row]
    if (!then || !current) continue
    lines.push(
      `| ${labels[row] ?? row} | ${fmt(then.eventsPerSec)} | ${fmt(current.eventsPerSec)} | ${fmt(then.cpuPerEvent)} | ${fmt(current.cpuPerEvent)} |`
    )
  }
  return lines
}
