#!/usr/bin/env node
/**
 * `actions-kafka-server` (the package's second `bin`): the server as a service, from the built package
 * (`node dist/local/serve-main.js --config /etc/actions-kafka/config.json --host 0.0.0.0`). Unlike
 * `npm start` it never starts a broker: the brokers come from the config file or `KAFKA_BROKERS`.
 */
import { serve } from './serve'

serve(process.argv).catch((error: unknown) => {
  process.stderr.write(`cannot start the server: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
