/**
 * `npm start`: the local server as a command. Options and environment (`--config` / `KAFKA_CONFIG_FILE`,
 * `KAFKA_BROKERS`, `--port` / `PORT`, `--host`), the start-up banner (banner.ts), and SIGINT /
 * SIGTERM closing the server and the Kafka producers, and the last-resort handlers (request-guard.ts).
 * With neither a config file nor brokers it asks `localBroker` for brokers (scripts/serve.ts starts the
 * project's own broker there).
 */
import { Command } from 'commander'
import { accessNote, banner } from './banner'
import { createLogger, type Logger } from './logger'
import { installLastResort } from './request-guard'
import { DEFAULT_HOST, DEFAULT_PORT, startServer, type RunningServer } from './server'
import { DEFAULT_DRAIN_TIMEOUT_MS } from './server-config'
import { configChoice, loadConfig, type LocalBroker } from './startup'

/** Beyond the drain time, how long closing the producers may take before the process exits anyway. */
const CLOSE_MARGIN_MS = 10000

function port(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`PORT must be a port number (0-65535), got '${value}'`)
  return n
}

/**
 * SIGINT / SIGTERM drain the server (refuse new requests, answer those in flight) and close the producers,
 * then exit 0; a second signal, or a close beyond the drain time and a margin, exits 1.
 */
function closeOnSignals(server: RunningServer, logger: Logger): void {
  let stopping = false
  const limitMs = (server.config.server?.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS) + CLOSE_MARGIN_MS
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`)
      process.exit(1)
    }
    stopping = true
    logger.info(`${signal}: closing the server and the Kafka producers...`)
    const force = setTimeout(() => {
      logger.error(`still closing after ${limitMs / 1000} s: exiting`)
      process.exit(1)
    }, limitMs)
    force.unref()
    server.close().then(
      () => {
        logger.info('closed')
        process.exitCode = 0
      },
      (error: unknown) => {
        logger.error(`error while closing: ${error instanceof Error ? error.message : String(error)}`)
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
  const { config, brokersNote, projectBroker } = await loadConfig(choice, localBroker)
  const logger = createLogger()
  const server = await startServer({ config, port: port(opts.port ?? process.env.PORT), host: opts.host, logger })
  process.stdout.write(
    banner({
      url: server.url,
      routes: server.routes,
      config: server.config,
      brokersNote,
      configFile: choice.configFile,
      projectBroker
    })
  )
  logger.info({ url: server.url, access: accessNote(server.config) }, 'listening')
  closeOnSignals(server, logger)
  installLastResort({
    logger,
    count: (where) => server.context.metrics.unexpectedErrors.inc({ where, route: '' }),
    drain: () => server.close()
  })
  return server
}
