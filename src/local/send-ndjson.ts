/**
 * The CLI's work: reads newline-delimited raw Segment events, sends them in batches through the config's
 * subscriptions, draws a progress bar when asked and returns the summary with the first line numbers of
 * each failure reason.
 */
import * as readline from 'node:readline'
import { SingleBar, Presets } from 'cli-progress'
import type { DestinationDefinition, SegmentEvent } from '@segment/actions-core'
import { closeAllProducers } from '../producers'
import { loadConfig, openRunner, type ConfigChoice } from './startup'
import { runBatch } from './subscriptions'
import { addFailure, emptySummary, summarise, type Summary } from './summary'

export interface NdjsonOptions extends ConfigChoice {
  batchSize: number
  progress?: boolean
}

export interface NdjsonIo {
  input: NodeJS.ReadableStream
  /** Bytes in the input when known (a file): the progress bar then shows a percentage. */
  inputBytes?: number
  err: NodeJS.WritableStream & { isTTY?: boolean }
  definition?: DestinationDefinition<unknown>
}

export interface NdjsonResult {
  summary: Summary
  /** Failure reason -> the first line numbers that failed for it. */
  lines: Record<string, number[]>
}

const MAX_LINES_PER_REASON = 10

function progressBar(options: NdjsonOptions, io: NdjsonIo): SingleBar | undefined {
  if (!(options.progress ?? Boolean(io.err.isTTY))) return undefined
  return new SingleBar(
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
}

function isSegmentEvent(value: unknown): value is SegmentEvent {
  return (
    Boolean(value) &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as { type?: unknown }).type === 'string'
  )
}

/** Reads the NDJSON input, sends it in batches and returns the summary (does not exit). */
export async function sendNdjson(options: NdjsonOptions, io: NdjsonIo): Promise<NdjsonResult> {
  const { config } = await loadConfig(options)
  const runner = await openRunner(config, io.definition)

  const summary = emptySummary()
  const lines: Record<string, number[]> = {}
  const note = (reason: string, line: number): void => {
    const list = (lines[reason] ??= [])
    if (list.length < MAX_LINES_PER_REASON) list.push(line)
  }
  const fail = (reason: string, line: number): void => {
    addFailure(summary, reason)
    note(reason, line)
  }

  const bar = progressBar(options, io)
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
    const outcomes = await runBatch(
      runner.destination,
      runner.config,
      current.map((b) => b.event)
    )
    summarise(outcomes, summary, (reason, i) => note(reason, current[i].line))
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
      if (!isSegmentEvent(value)) {
        fail('not a Segment event (an object with a string "type")', lineNumber)
        continue
      }
      batch.push({ event: value, line: lineNumber })
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
