/**
 * A full run set beside the previous full run (results/latest.json before it is overwritten): ours
 * against the bare actions-core destination, row by row, so a slowdown of ours shows as a ratio that
 * fell, whatever the machine's speed on the day (both columns are measured in the same run).
 */
import * as fs from 'node:fs'
import type { Report } from './report'

export interface Previous {
  date: string
  ratios: Report['ratios']
}

/** The previous full run's date and ratios, if there is one. */
export function readPrevious(file: string): Previous | undefined {
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Report>
    if (report.quick || !report.date || !report.ratios) return undefined
    return { date: report.date, ratios: report.ratios }
  } catch {
    return undefined
  }
}

/**
 * Markdown lines: ours / bare actions-core, then and now. Single runs of these rows vary by about
 * ±15% on this machine, so a change within that is noise.
 */
export function comparisonLines(
  previous: Previous | undefined,
  ratios: Report['ratios'],
  labels: Record<string, string>
): string[] {
  if (!previous) return []
  const key = 'ours/core-kafkajs'
  const lines = [
    '',
    `## Against the previous full run (${previous.date})`,
    '',
    'Ours / the bare actions-core destination, both measured in the same run each time (a ratio, so the machine’s speed on the day cancels out).',
    '',
    '| workload | previous run | this run | change |',
    '|---|---:|---:|---:|'
  ]
  for (const row of Object.keys(ratios)) {
    const now = ratios[row][key]
    const then = previous.ratios[row]?.[key]
    if (now === null || now === undefined || then === null || then === undefined) continue
    const change = Math.round((now / then - 1) * 100)
    lines.push(
      `| ${labels[row] ?? row} | ${then.toFixed(2)}x | ${now.toFixed(2)}x | ${change >= 0 ? '+' : ''}${change}% |`
    )
  }
  return lines
}
