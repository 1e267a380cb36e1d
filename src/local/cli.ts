#!/usr/bin/env node
/**
 * `actions-kafka [file]`: sends a file (or stdin) of newline-delimited raw Segment events through the
 * destination's mapping engine, in batches, with the settings and subscriptions of a config file (the
 * embedded default without one). A progress bar on a terminal, a summary at the end, exit status 1
 * when any event failed and 2 when the command could not run at all.
 */
import * as fs from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import { replayMain } from './replay-cli'
import { sendNdjson, type NdjsonIo, type NdjsonResult } from './send-ndjson'
import { configChoice } from './startup'

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 10000)
    throw new InvalidArgumentError('must be a whole number from 1 to 10000')
  return n
}

export function formatSummary({ summary, lines }: NdjsonResult): string {
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
    .addHelpText('after', '\n`actions-kafka replay --help`: replay dead letters (see docs/console.md).')
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
  if (argv[2] === 'replay') return replayMain(argv.slice(3))
  const cmd = program()
  cmd.parse(argv)
  const opts = cmd.opts<{ config?: string; brokers?: string; batchSize: number; progress?: boolean; json?: boolean }>()
  const file = cmd.args[0]
  let io: NdjsonIo
  if (file && file !== '-') {
    let size: number
    try {
      size = fs.statSync(file).size
    } catch (error) {
      process.stderr.write(`actions-kafka: cannot read ${file}: ${(error as Error).message}\n`)
      return 2
    }
    io = { input: fs.createReadStream(file), inputBytes: size, err: process.stderr }
  } else {
    io = { input: process.stdin, err: process.stderr }
  }
  let result: NdjsonResult
  try {
    result = await sendNdjson({ ...configChoice(opts), batchSize: opts.batchSize, progress: opts.progress }, io)
  } catch (error) {
    process.stderr.write(`actions-kafka: ${(error as Error).message}\n`)
    return 2
  }
  process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatSummary(result))
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
