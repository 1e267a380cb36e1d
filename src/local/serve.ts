/**
 * `npm start`: the local server as a command. Options and environment (`--config` / `KAFKA_CONFIG_FILE`,
 * `KAFKA_BROKERS`, `--port` / `PORT`, `--host`), the start-up banner with a curl example, and SIGINT /
 * SIGTERM closing the server and the Kafka producers. With neither a config file nor brokers it asks
 * `localBroker` for brokers (scripts/serve.ts starts the project's own broker there).
 */
import { Command } from 'commander'
import { formatBroker, parseBrokers } from '../brokers'
import { DEFAULT_TOPIC } from './config-file'
import { DEFAULT_HOST, DEFAULT_PORT, startServer, type RunningServer } from './server'
import { configChoice, loadConfig, type LocalBroker } from './startup'

const SHUTDOWN_TIMEOUT_MS = 10000

function port(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`PORT must be a port number (0-65535), got '${value}'`)
  return n
}

function banner(server: RunningServer, brokersNote: string, configFile: string | undefined): string {
  const brokers = String(server.config.settings.brokers)
  const first = parseBrokers(brokers).brokers[0]
  const example = JSON.stringify({
    type: 'track',
    event: 'Order Completed',
    userId: 'user-42',
    properties: { orderId: 'o-1001', total: 39.9 }
  })
  return [
    `Kafka destination server listening on ${server.url}`,
    `  broker:  ${brokersNote}`,
    `  config:  ${configFile ?? `embedded default (track/identify/page/screen/group -> topic ${DEFAULT_TOPIC}, keyed by userId)`}`,
    `  routes:  ${server.routes.join(', ')}`,
    '',
    'Send an event through the subscriptions of the config:',
    `  curl -s ${server.url}/events -H 'content-type: application/json' -d '${example}'`,
    'Send one straight to a topic with a mapping:',
    `  curl -s ${server.url}/send -H 'content-type: application/json' -d '{"payload":${example},"mapping":{"topic":"${DEFAULT_TOPIC}","key":{"@path":"$.userId"}}}'`,
    `Read the topic back (${DEFAULT_TOPIC} is the default config's topic):`,
    `  kcat -C -b ${first ? formatBroker(first) : brokers} -t ${DEFAULT_TOPIC} -o beginning -e -f '%k %s\\n'`,
    '',
    'Ctrl+C stops the server (the broker keeps running).',
    ''
  ].join('\n')
}

/** SIGINT / SIGTERM close the server and the producers; a second signal, or a close over the limit, exits 1. */
function closeOnSignals(server: RunningServer): void {
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`)
      process.exit(1)
    }
    stopping = true
    process.stderr.write(`${signal}: closing the server and the Kafka producers...\n`)
    const force = setTimeout(() => {
      process.stderr.write(`still closing after ${SHUTDOWN_TIMEOUT_MS / 1000} s: exiting\n`)
      process.exit(1)
    }, SHUTDOWN_TIMEOUT_MS)
    force.unref()
    server.close().then(
      () => {
        process.stderr.write('closed\n')
        process.exitCode = 0
      },
      (error: unknown) => {
        process.stderr.write(`error while closing: ${String(error)}\n`)
        process.exitCode = 1
      }
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

/** Parses the command line, starts the server, prints the banner and closes on SIGINT / SIGTERM. */
export async function serve(argv: string[], localBroker?: LocalBroker): Promise<RunningServer> {
  const opts = new Command()
    .name('npm start --')
    .description('Local actions-style server for the Kafka destination')
    .option('-c, --config <path>', 'config file with settings and subscriptions (env KAFKA_CONFIG_FILE)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .parse(argv)
    .opts<{ config?: string; port?: string; host: string }>()
  const choice = configChoice({ config: opts.config })
  const { config, brokersNote } = await loadConfig(choice, localBroker)
  const server = await startServer({
    config,
    port: port(opts.port ?? process.env.PORT),
    host: opts.host,
    log: (line) => process.stderr.write(`${line}\n`)
  })
  process.stdout.write(banner(server, brokersNote, choice.configFile))
  closeOnSignals(server)
  return server
}
