/**
 * `actions-kafka replay`: the console's dead-letter replay for scripts. Lists the dead letters of the
 * config's dead-letter topic (`--list`), or replays those of a code (`--code`) or at given places
 * (`--record <partition>:<offset>`, repeatable) through the subscriptions as configured now, each at most
 * once (dead-letter-replay.ts). Prints one line per record (or JSON); exit status 1 when a replay failed,
 * 2 when the command could not run.
 */
import { Command, InvalidArgumentError } from 'commander'
import { closeAllProducers } from '../producers'
import { DeadLetterReplay, type DeadLetterView, type ReplayOutcome } from './dead-letter-replay'
import { configChoice, loadConfig, openRunner } from './startup'

function place(value: string, previous: { partition: number; offset: string }[] = []) {
  const match = /^(\d+):(\d+)$/.exec(value)
  if (!match) throw new InvalidArgumentError('must be <partition>:<offset>, e.g. 0:12')
  return [...previous, { partition: Number(match[1]), offset: match[2] }]
}

export function replayProgram(): Command {
  return new Command()
    .name('actions-kafka replay')
    .description(
      "Replay dead letters through the config's subscriptions (after the cause was fixed), each at most once; or list them."
    )
    .option(
      '-c, --config <path>',
      'config file with settings, subscriptions and server.deadLetter.topic (env KAFKA_CONFIG_FILE)'
    )
    .option('-b, --brokers <list>', 'comma-separated host:port list replacing settings.brokers (env KAFKA_BROKERS)')
    .option('-t, --topic <name>', 'the dead-letter topic (default: server.deadLetter.topic of the config)')
    .option('--code <code>', 'replay every dead letter of this error code (with --list: list only those)')
    .option('-r, --record <partition:offset>', 'replay the dead letter at this place (repeatable)', place)
    .option('--list', 'list the dead letters instead of replaying')
    .option('--json', 'print JSON')
}

const lineOf = (o: ReplayOutcome): string => {
  const where = `${o.partition}:${o.offset}`
  const what = o.error
    ? `${o.error.code ?? o.error.status}: ${o.error.message ?? ''}`
    : JSON.stringify(o.delivered ?? '')
  return `${where}  ${o.code}  ${o.outcome}  ${what}`
}

const letterLine = (l: DeadLetterView): string =>
  `${l.partition}:${l.offset}  ${l.code}  ${l.subscription}  ${l.replayed ? `replayed ${l.replayed.at}` : 'not replayed'}  ${l.message}`

export async function replayMain(argv: string[]): Promise<number> {
  const cmd = replayProgram()
  cmd.parse(argv, { from: 'user' })
  type Options = {
    config?: string
    brokers?: string
    topic?: string
    code?: string
    record?: { partition: number; offset: string }[]
    list?: boolean
    json?: boolean
  }
  const opts = cmd.opts<Options>()
  const out = (text: string): boolean => process.stdout.write(text + '\n')
  try {
    const { config } = await loadConfig(configChoice(opts))
    const topic = opts.topic ?? config.server?.deadLetter?.topic
    if (!topic) throw new Error('no dead-letter topic: give --topic or set server.deadLetter.topic in the config')
    const replay = new DeadLetterReplay(await openRunner(config), topic)
    if (opts.list) {
      const letters = await replay.list(opts.code)
      out(
        opts.json
          ? JSON.stringify(letters, null, 2)
          : letters.map(letterLine).join('\n') || `no dead letters in ${topic}`
      )
      return 0
    }
    if (!opts.code === !opts.record)
      throw new Error('give either --code <code> or --record <partition:offset> (or --list)')
    const outcomes = await replay.replay(opts.code ? { code: opts.code } : { records: opts.record ?? [] })
    out(opts.json ? JSON.stringify(outcomes, null, 2) : outcomes.map(lineOf).join('\n') || 'nothing to replay')
    return outcomes.some((o) => o.outcome === 'failed') ? 1 : 0
  } catch (error) {
    process.stderr.write(`actions-kafka replay: ${(error as Error).message}\n`)
    return 2
  } finally {
    await closeAllProducers()
  }
}
