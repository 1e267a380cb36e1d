/**
 * `npm start`: the local actions-style server. With no configuration it starts the project's own broker
 * (the same code as `npm run broker:start`) and uses the embedded default config; `KAFKA_BROKERS`,
 * `PORT` and `--config <file>` / `KAFKA_CONFIG_FILE` point it elsewhere (no broker is started then).
 * Lives in scripts/ because it needs the broker harness, which is not part of the published package.
 */
import { Command } from 'commander'
import { formatBroker, parseBrokers } from '../src/brokers'
import { type ConfigFile, defaultConfig, DEFAULT_TOPIC, loadConfigFile, withBrokers } from '../src/config-file'
import { DEFAULT_PORT, startServer, type RunningServer } from '../src/server'
import { start as startBroker } from './broker/broker'

const SHUTDOWN_TIMEOUT_MS = 10000

function port(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`PORT must be a port number (0-65535), got '${value}'`)
  return n
}

async function main(): Promise<void> {
  const cmd = new Command()
    .name('npm start --')
    .description('Local actions-style server for the Kafka destination')
    .option('-c, --config <path>', 'config file with settings and subscriptions (env KAFKA_CONFIG_FILE)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .parse(process.argv)
  const opts = cmd.opts<{ config?: string; port?: string; host: string }>()
  const configFile = opts.config ?? process.env.KAFKA_CONFIG_FILE
  const brokersEnv = process.env.KAFKA_BROKERS

  let config: ConfigFile
  let brokerNote: string
  if (configFile) {
    config = withBrokers(loadConfigFile(configFile), brokersEnv)
    brokerNote = brokersEnv ? `${brokersEnv} (KAFKA_BROKERS)` : `${config.settings.brokers} (config file)`
  } else if (brokersEnv) {
    config = withBrokers(defaultConfig(), brokersEnv)
    brokerNote = `${brokersEnv} (KAFKA_BROKERS)`
  } else {
    const { info, started } = await startBroker()
    config = withBrokers(defaultConfig(), info.bootstrap.plaintext)
    brokerNote = `${info.bootstrap.plaintext} (the project's broker, ${started ? 'started' : 'already running'}, pid ${info.pid}; npm run broker:stop stops it)`
  }

  const server: RunningServer = await startServer({
    config,
    port: port(opts.port ?? process.env.PORT),
    host: opts.host,
    log: (line) => process.stderr.write(`${line}\n`)
  })
  const firstBroker = parseBrokers(String(config.settings.brokers)).brokers[0]
  const example = JSON.stringify({
    type: 'track',
    event: 'Order Completed',
    userId: 'user-42',
    properties: { orderId: 'o-1001', total: 39.9 }
  })
  process.stdout.write(
    [
      `Kafka destination server listening on ${server.url}`,
      `  broker:  ${brokerNote}`,
      `  config:  ${configFile ?? `embedded default (track/identify/page/screen/group -> topic ${DEFAULT_TOPIC}, keyed by userId)`}`,
      `  routes:  ${server.routes.join(', ')}`,
      '',
      'Send an event through the subscriptions of the config:',
      `  curl -s ${server.url}/events -H 'content-type: application/json' -d '${example}'`,
      'Send one straight to a topic with a mapping:',
      `  curl -s ${server.url}/send -H 'content-type: application/json' -d '{"payload":${example},"mapping":{"topic":"${DEFAULT_TOPIC}","key":{"@path":"$.userId"}}}'`,
      `Read the topic back (${DEFAULT_TOPIC} is the default config's topic):`,
      `  kcat -C -b ${firstBroker ? formatBroker(firstBroker) : String(config.settings.brokers)} -t ${DEFAULT_TOPIC} -o beginning -e -f '%k %s\\n'`,
      '',
      'Ctrl+C stops the server (the broker keeps running).',
      ''
    ].join('\n')
  )

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

main().catch((error: unknown) => {
  process.stderr.write(`cannot start the server: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
