/** Medians, ratios against the issue's targets and the machine's facts, written as JSON and as a markdown table. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { gatewayLines, gatewayRatios } from './gateway-report'
import type { Machine } from './machine'
import { comparisonLines, type Previous } from './previous'
import { medians, ratio } from './stats'
import type { WorkerResult } from './worker'
import type { Workload } from './workloads'

export type { Machine } from './machine'

export type RunResult = Partial<WorkerResult> & { events: number; seconds: number; eventsPerSec: number }

export interface WorkloadResult {
  workload: Workload
  runs: RunResult[]
  median: Partial<Record<keyof RunResult, number>>
}

export interface Target {
  what: string
  measured: number | null
  wanted: string
  met: boolean | null
}

export interface Report {
  command: string
  date: string
  quick: boolean
  runs: number
  /** `build`: src/ compiled by tsc (as published); `src`: the TypeScript through tsx. */
  ours: 'build' | 'src'
  machine: Machine
  workloads: WorkloadResult[]
  ratios: Record<string, Record<string, number | null>>
  targets: Target[]
  /** The previous full run's ratios, to show a slowdown of ours (full runs only). */
  previous?: Previous
}

export function summarise(workload: Workload, runs: RunResult[]): WorkloadResult {
  return { workload, runs, median: medians(runs) }
}

function find(results: WorkloadResult[], id: string): WorkloadResult | undefined {
  return results.find((r) => r.workload.id === id)
}

function eps(results: WorkloadResult[], id: string): number | undefined {
  return find(results, id)?.median.eventsPerSec
}

export function ratiosAndTargets(results: WorkloadResult[]): Pick<Report, 'ratios' | 'targets'> {
  const ratios: Report['ratios'] = {}
  const targets: Target[] = []
  const kcat = eps(results, 'kcat/kcat')
  for (const row of ['event-c1', 'event-c32', 'batch-100', 'batch-1000']) {
    const ours = eps(results, `${row}/ours`)
    if (ours === undefined) continue
    ratios[row] = {
      'ours/segment-default': ratio(ours, eps(results, `${row}/segment-default`)),
      'ours/segment-cached': ratio(ours, eps(results, `${row}/segment-cached`)),
      'cpu ours/segment-cached': ratio(
        find(results, `${row}/ours`)?.median.cpuUsPerEvent,
        find(results, `${row}/segment-cached`)?.median.cpuUsPerEvent
      ),
      'ours/core-kafkajs': ratio(ours, eps(results, `${row}/core-kafkajs`)),
      'ours/kafkajs': ratio(ours, eps(results, `${row}/kafkajs`)),
      'ours/kcat': ratio(ours, kcat),
      'http-batch/ours': ratio(eps(results, `${row}/http-batch`), ours),
      'http-events/ours': ratio(eps(results, `${row}/http-events`), ours)
    }
    const check = (what: string, measured: number | null, min: number): void => {
      targets.push({ what, measured, wanted: `>= ${min}x`, met: measured === null ? null : measured >= min })
    }
    if (row.startsWith('event')) {
      check(`${row}: ours / Segment default`, ratios[row]['ours/segment-default'], 20)
      check(`${row}: ours / Segment cached`, ratios[row]['ours/segment-cached'], 1.5)
    } else {
      if (row === 'batch-1000') {
        check(`${row}: ours / Segment cached`, ratios[row]['ours/segment-cached'], 1.1)
        check(`${row}: ours / bare actions-core + kafkajs`, ratios[row]['ours/core-kafkajs'], 0.95)
      }
      check(`${row}: ours / raw kafkajs sendBatch`, ratios[row]['ours/kafkajs'], 0.9)
      check(`${row}: /v1/batch (Node SDK) / direct onBatch`, ratios[row]['http-batch/ours'], 0.8)
      check(`${row}: /events array / direct onBatch`, ratios[row]['http-events/ours'], 0.8)
    }
  }
  for (const row of ['batch-100', 'batch-1000']) {
    const avro = eps(results, `${row}-avro/ours`)
    if (avro === undefined) continue
    const measured = ratio(avro, eps(results, `${row}/ours`))
    ratios[`${row}-avro`] = { 'ours avro/ours json': measured }
    targets.push({
      what: `${row}: ours with Avro values / ours with JSON values`,
      measured,
      wanted: '>= 0.9x',
      met: measured === null ? null : measured >= 0.9
    })
  }
  const gateway = gatewayRatios(results)
  for (const [row, r] of Object.entries(gateway.ratios)) {
    ratios[row] = { 'gateway/ours': r.eventsPerSec, 'gateway own cpu us/ev': r.ownCpuUsPerEvent }
  }
  targets.push(...gateway.targets)
  const ours10k = find(results, 'connections-10k/ours')?.median.connects
  const raw10k = find(results, 'connections-10k/kafkajs')?.median.connects
  if (ours10k !== undefined) {
    targets.push({
      what: 'connections-10k: connects of ours for one tenant (raw kafkajs producer = one connection set)',
      measured: ours10k,
      wanted: raw10k === undefined ? 'one producer' : `<= ${raw10k}`,
      met: raw10k === undefined ? null : ours10k <= raw10k
    })
  }
  return { ratios, targets }
}

const SYSTEMS: [string, string][] = [
  ['ours', 'ours'],
  ['ours-idempotent', 'ours, idempotent'],
  ['segment-default', 'Segment default'],
  ['segment-cached', 'Segment cached (flag)'],
  ['core-kafkajs', 'bare actions-core + kafkajs'],
  ['kafkajs', 'raw kafkajs'],
  ['http-batch', 'ours via /v1/batch (Node SDK)'],
  ['http-events', 'ours via /events']
]

const ROW_LABELS: Record<string, string> = {
  'event-c1': 'per event, concurrency 1 (`onEvent`)',
  'event-c32': 'per event, concurrency 32 (`onEvent`)',
  'batch-100': 'batch of 100 (`onBatch` / `sendBatch`)',
  'batch-1000': 'batch of 1,000 (`onBatch` / `sendBatch`)',
  'batch-100-avro': 'batch of 100, Avro values (`onBatch`)',
  'batch-1000-avro': 'batch of 1,000, Avro values (`onBatch`)'
}

function num(value: number | undefined | null, digits = 0): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–'
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

export function markdown(report: Report): string {
  const r = report.workloads
  const m = report.machine
  const lines: string[] = []
  lines.push('# Benchmark results', '')
  lines.push(
    `Generated by \`${report.command}\` on ${report.date}${report.quick ? ' (quick mode: not representative)' : ''}.`
  )
  lines.push(`Medians of ${report.runs} run(s) per workload; each run is a fresh Node process.`, '')
  lines.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; Node ${m.node}; Kafka ${m.kafka} (single local broker, ` +
      `PLAINTEXT 127.0.0.1); kafkajs ${m.kafkajs}; @segment/actions-core ${m.actionsCore}; ` +
      `@segment/action-destinations ${m.segmentActionDestinations}; kcat ${m.kcat}; load average ${m.loadAverageAtStart.join(' ')} at start, ${m.loadAverageAtEnd.join(' ')} at the end` +
      (m.loadAverageMax === undefined ? '.' : `, at most ${m.loadAverageMax} (1 minute) during the run.`),
    ''
  )
  if (m.busy) {
    lines.push(
      `**Taken on a busy machine** (${m.busyReason ?? 'load average'}): other work shared the cores, so events/s ` +
        'read low and vary more; ratios within this run still compare like with like, but these figures are not ' +
        'compared with earlier runs.',
      ''
    )
  }
  lines.push('## Throughput: events/s (p50 / p99 latency of one call, ms)', '')
  lines.push(`| workload | ${SYSTEMS.map(([, label]) => label).join(' | ')} |`)
  lines.push(`|---|${SYSTEMS.map(() => '---:').join('|')}|`)
  for (const [row, label] of Object.entries(ROW_LABELS)) {
    const cells = SYSTEMS.map(([key]) => {
      const w = find(r, `${row}/${key}`)
      if (!w) return '–'
      return `${num(w.median.eventsPerSec)} (${num(w.median.p50Ms, 2)} / ${num(w.median.p99Ms, 2)})`
    })
    lines.push(`| ${label} | ${cells.join(' | ')} |`)
  }
  lines.push(
    '',
    '## Client CPU per event: user + system µs in the producing process (less sensitive to a busy machine)',
    ''
  )
  lines.push(`| workload | ${SYSTEMS.map(([, label]) => label).join(' | ')} |`)
  lines.push(`|---|${SYSTEMS.map(() => '---:').join('|')}|`)
  for (const [row, label] of Object.entries(ROW_LABELS)) {
    lines.push(
      `| ${label} | ${SYSTEMS.map(([key]) => num(find(r, `${row}/${key}`)?.median.cpuUsPerEvent)).join(' | ')} |`
    )
  }
  lines.push(...gatewayLines(r))
  const kcat = find(r, 'kcat/kcat')
  if (kcat)
    lines.push(
      '',
      `kcat (librdkafka) producing ${num(kcat.workload.events)} records from a file: **${num(kcat.median.eventsPerSec)} events/s**.`
    )
  lines.push('', '## Ratios and targets', '')
  lines.push(
    '| workload | ours / Segment default | ours / Segment cached | CPU per event, ours / Segment cached | ours / bare actions-core + kafkajs | ours / raw kafkajs | ours / kcat |'
  )
  lines.push('|---|---:|---:|---:|---:|---:|---:|')
  for (const [row, values] of Object.entries(report.ratios)) {
    // Avro rows are compared with ours' JSON row, gateway rows with the direct call (tables above / below).
    if (row.endsWith('-avro') || row.startsWith('gateway-')) continue
    const cell = (k: string): string => (values[k] === null ? '–' : `${num(values[k], 2)}x`)
    lines.push(
      `| ${ROW_LABELS[row] ?? row} | ${cell('ours/segment-default')} | ${cell('ours/segment-cached')} | ${cell('cpu ours/segment-cached')} | ${cell('ours/core-kafkajs')} | ${cell('ours/kafkajs')} | ${cell('ours/kcat')} |`
    )
  }
  lines.push('', '| target | measured | wanted | met |', '|---|---:|---|---|')
  for (const t of report.targets) {
    lines.push(
      `| ${t.what} | ${num(t.measured, 2)} | ${t.wanted} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`
    )
  }
  lines.push(...comparisonLines(report.previous, r, ROW_LABELS, m.busy === true))
  const tenants = num(r.find((w) => w.workload.group === 'tenants')?.workload.events)
  lines.push('', '## Connections and memory', '')
  lines.push(`| | ${SYSTEMS.map(([, label]) => label).join(' | ')} |`)
  lines.push(`|---|${SYSTEMS.map(() => '---:').join('|')}|`)
  const conn = (row: string, pick: (w: WorkloadResult) => string): string =>
    SYSTEMS.map(([key]) => {
      const w = find(r, `${row}/${key}`)
      return w ? pick(w) : '–'
    }).join(' | ')
  lines.push(
    `| TCP connects of one tenant over 10,000 events (events actually sent if capped by time) | ${conn('connections-10k', (w) => `${num(w.median.connects)}${w.median.events === 10000 ? '' : ` (${num(w.median.events)} events)`}`)} |`
  )
  lines.push(
    `| open broker sockets after ${tenants} tenants | ${conn('tenants-1000', (w) => num(w.median.openSockets))} |`
  )
  lines.push(`| TCP connects for ${tenants} tenants | ${conn('tenants-1000', (w) => num(w.median.connects))} |`)
  lines.push(
    `| RSS after ${tenants} tenants, MB (growth) | ${conn('tenants-1000', (w) => `${num(w.median.rssAfterMb)} (+${num((w.median.rssAfterMb ?? NaN) - (w.median.rssBeforeMb ?? NaN))})`)} |`
  )
  lines.push('', '## Method', '')
  lines.push(
    '- Events: seeded Segment `track` events of about 1.08 KB JSON (2,000 distinct, cycled). Every system writes the same record: ' +
      'key = `userId`, value = the event as JSON, no headers, no compression, acks = all, to a fresh 3-partition topic per workload.',
    `- Ours runs ${report.ours === 'build' ? 'compiled by tsc with tsconfig.build.json, as published' : 'from the TypeScript sources through tsx'}. ` +
      "Destinations run through `Destination.onEvent` / `onBatch` with `subscription: { subscribe: 'type = \"track\"', partnerAction: 'send', mapping }`, " +
      'a fresh settings object per call (as the runtime parses settings per request). ' +
      'Segment\'s destination is its published npm build with its own copy of actions-core; "cached" passes the feature flag ' +
      '`actions-kafka-optimize-connection`. Its settings use `mechanism: client-cert-auth` without `ssl_ca`, which gives a plain TCP ' +
      'connection like the others (it has no "no authentication" choice).',
    '- Raw kafkajs: one connected producer, `send` with one record per call (the per-event rows) and `sendBatch` (the batch rows), ' +
      'JSON serialisation included. kcat: `kcat -P -l -K TAB` over a file of the same records, timed from spawn to exit (delivery included).',
    '- Per-event rows: `concurrency` calls in flight; latency is per call. Batch rows: one batch call at a time; latency is per batch. ' +
      "Each run warms up first (not measured); Segment's default path has a time cap per run, so it sends fewer events.",
    '- Connections: TCP connects to the broker counted in-process with the `net.client.socket` diagnostics channel from the first event; ' +
      'open sockets read from /proc after the 1,000 tenants (clientIds), before closing. Every run checks that the topic grew by exactly the events sent.'
  )
  return lines.join('\n') + '\n'
}

/** Formatted the way `npm run lint` checks the repository, so generated files never fail it. */
async function writeFormatted(file: string, text: string, parser: 'json' | 'markdown'): Promise<void> {
  const prettier = await import('prettier')
  const options = (await prettier.resolveConfig(file)) ?? {}
  fs.writeFileSync(file, await prettier.format(text, { ...options, parser }))
}

/**
 * A full run writes results/latest.json and RESULTS.md (both committed); quick and filtered runs
 * write results/<name>.tmp (git-ignored) and leave the committed results alone.
 */
export async function write(report: Report, dir: string, name: string, full: boolean): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true })
  const json = path.join(dir, full ? `${name}.json` : `${name}.tmp`)
  await writeFormatted(json, JSON.stringify(report, null, 2), 'json')
  const written = [json]
  if (full) {
    const md = path.join(__dirname, 'RESULTS.md')
    await writeFormatted(md, markdown(report), 'markdown')
    written.push(md)
  }
  return written
}
