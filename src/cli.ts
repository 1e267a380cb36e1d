#!/usr/bin/env node
/**
 * `actions-kafka [file]`: sends a file (or stdin) of newline-delimited raw Segment events through the
 * destination's mapping engine, in batches, with the settings and subscriptions of a config file (the
 * embedded default without one). A progress bar on a terminal, a summary at the end, exit status 1
 * when any event failed and 2 when the command could not run at all.
 */
import * as fs from 'node:fs'
import * as readline from 'node:readline'
import { Command, InvalidArgumentError } from 'commander'
import { SingleBar, Presets } from 'cli-progress'
import { Destination, type DestinationDefinition, type SegmentEvent } from '@segment/actions-core'
import {
  type ConfigFile,
  defaultConfig,
  loadConfigFile,
  verifyConfig,
  withBrokers,
  withFieldDefaults
} from './config-file'
import ownDefinition from './index'
import { closeAllProducers } from './producers'
import { addFailure, emptySummary, type EventOutcome, reasonOf, runBatch, type Summary } from './run-events'

export interface CliOptions {
  config?: string
  brokers?: string
  batchSize: number
  progress?: boolean
  json?: boolean
}

export interface CliIo {
  input: NodeJS.ReadableStream
  /** Bytes in the input when known (a file): the progress bar then shows a percentage. */
  inputBytes?: number
  out: NodeJS.WritableStream
  err: NodeJS.WritableStream & { isTTY?: boolean }
  definition?: DestinationDefinition<unknown>
}

export interface CliResult {
  summary: Summary
  /** Failure reason -> the first line numbers that failed for it. */
  lines: Record<string, number[]>
}

const MAX_LINES_PER_REASON = 10

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 10000)
    throw new InvalidArgumentError('must be a whole number from 1 to 10000')
  return n
}

/** Reads the NDJSON input, sends it in batches and returns the summary (does not exit). */
export async function sendEvents(options: CliOptions, io: CliIo): Promise<CliResult> {
  const definition = io.definition ?? (ownDefinition as DestinationDefinition<unknown>)
  const destination = new Destination(definition)
  const base: ConfigFile = options.config ? loadConfigFile(options.config) : defaultConfig()
  const config = withFieldDefaults(withBrokers(base, options.brokers), definition)
  await verifyConfig(destination, config)

  const summary = emptySummary()
  const lines: Record<string, number[]> = {}
  const fail = (reason: string, line: number): void => {
    addFailure(summary, reason)
    note(reason, line)
  }
  const note = (reason: string, line: number): void => {
    const list = (lines[reason] ??= [])
    if (list.length < MAX_LINES_PER_REASON) list.push(line)
  }

  const showProgress = options.progress ?? Boolean(io.err.isTTY)
  const bar = showProgress
    ? new SingleBar(
        {
          stream: io.err as NodeJS.WriteStream,
          format: io.inputBytes
            ? '{bar} {percentage}% | {events} events | {sent} sent | {failed} failed'
            : '{events} events | {sent} sent | {failed} failed',
          hideCursor: true,
          noTTYOutput: !io.err.isTTY,
          notTTYSchedule: 1000
        },
        Presets.shades_classic
      )
    : undefined
  let bytesRead = 0
  bar?.start(io.inputBytes ?? 1, 0, { events: 0, sent: 0, failed: 0 })
  const tick = (): void =>
    bar?.update(io.inputBytes ? Math.min(bytesRead, io.inputBytes) : 0, {
      events: summary.total,
      sent: summary.sent,
      failed: summary.failed
    })

  let batch: { event: SegmentEvent; line: number }[] = []
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const current = batch
    batch = []
    const outcomes: EventOutcome[] = await runBatch(
      destination,
      config,
      current.map((b) => b.event)
    )
    outcomes.forEach((o, i) => {
      if (o.status === 'failed')
        return fail(reasonOf(o.deliveries.find((d) => !d.ok) ?? o.deliveries[0]), current[i].line)
      summary.total++
      if (o.status === 'sent') summary.sent++
      else summary.notSubscribed++
    })
    tick()
  }

  try {
    const rl = readline.createInterface({ input: io.input, crlfDelay: Infinity })
    let lineNumber = 0
    for await (const text of rl) {
      lineNumber++
      bytesRead += Buffer.byteLength(text) + 1
      if (!text.trim()) continue
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        fail('invalid JSON', lineNumber)
        continue
      }
      if (
        !value ||
        typeof value !== 'object' ||
        Array.isArray(value) ||
        typeof (value as { type?: unknown }).type !== 'string'
      ) {
        fail('not a Segment event (an object with a string "type")', lineNumber)
        continue
      }
      batch.push({ event: value as SegmentEvent, line: lineNumber })
      if (batch.length >= options.batchSize) await flush()
    }
    await flush()
  } finally {
    tick()
    bar?.stop()
    await closeAllProducers()
  }
  return { summary, lines }
}

export function formatSummary({ summary, lines }: CliResult): string {
  const out = [
    `events: ${summary.total}  sent: ${summary.sent}  failed: ${summary.failed}  not subscribed: ${summary.notSubscribed}`
  ]
  const reasons = Object.entries(summary.failures).sort((a, b) => b[1] - a[1])
  if (reasons.length) {
    out.push('failed by reason:')
    for (const [reason, count] of reasons) {
      const at = lines[reason]?.length
        ? ` (line ${lines[reason].join(', ')}${count > lines[reason].length ? ', ...' : ''})`
        : ''
      out.push(`  ${count} × ${reason}${at}`)
    }
  }
  if (summary.notSubscribed) out.push('not subscribed: the events matched no subscription of the config (not an error)')
  return out.join('\n') + '\n'
}

export function program(): Command {
  return new Command()
    .name('actions-kafka')
    .description(
      'Send newline-delimited Segment events (a file, or stdin) through the Kafka destination in batches: the ' +
        "mapping engine runs each event through the config's subscriptions and the send action produces it to Kafka."
    )
    .argument('[file]', 'NDJSON file, one Segment event per line; omit or "-" to read stdin')
    .option(
      '-c, --config <path>',
      'config file with settings and subscriptions (env KAFKA_CONFIG_FILE); default: every track/identify/page/screen/group event to topic segment-events on 127.0.0.1:19092'
    )
    .option('-b, --brokers <list>', 'comma-separated host:port list replacing settings.brokers (env KAFKA_BROKERS)')
    .option('-n, --batch-size <n>', 'events per batch', positiveInt, 100)
    .option('--progress', 'always show the progress bar')
    .option('--no-progress', 'never show the progress bar (default: shown when stderr is a terminal)')
    .option('--json', 'print the summary as JSON')
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const cmd = program()
  cmd.parse(argv)
  const opts = cmd.opts<{ config?: string; brokers?: string; batchSize: number; progress?: boolean; json?: boolean }>()
  const file = cmd.args[0]
  const options: CliOptions = {
    ...opts,
    config: opts.config ?? process.env.KAFKA_CONFIG_FILE,
    brokers: opts.brokers ?? process.env.KAFKA_BROKERS
  }
  let io: CliIo
  if (file && file !== '-') {
    let size: number
    try {
      size = fs.statSync(file).size
    } catch (error) {
      process.stderr.write(`actions-kafka: cannot read ${file}: ${(error as Error).message}\n`)
      return 2
    }
    io = { input: fs.createReadStream(file), inputBytes: size, out: process.stdout, err: process.stderr }
  } else {
    io = { input: process.stdin, out: process.stdout, err: process.stderr }
  }
  let result: CliResult
  try {
    result = await sendEvents(options, io)
  } catch (error) {
    process.stderr.write(`actions-kafka: ${(error as Error).message}\n`)
    return 2
  }
  process.stdout.write(options.json ? JSON.stringify(result, null, 2) + '\n' : formatSummary(result))
  return result.summary.failed > 0 ? 1 : 0
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`actions-kafka: ${String(error)}\n`)
      process.exitCode = 2
    }
  )
}
