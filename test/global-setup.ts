/** Starts the project's broker for the integration tests, unless one is already running. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT, start } from '../scripts/broker/broker'
import { missingTools } from './helpers/prerequisites'

export default async function globalSetup(): Promise<void> {
  const missing = missingTools(process.env, !fs.existsSync(path.join(ROOT, '.kafka', 'libs', '.complete')))
  if (missing) {
    // The sentence alone: a stack trace would bury it.
    const error = new Error(missing)
    error.stack = missing
    throw error
  }
  const { info, started } = await start()
  // Jest runs setup and teardown in one process: teardown stops only what setup started.
  ;(globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean }).__KAFKA_STARTED_BY_TESTS__ = started
  if (started) process.stderr.write(`\n[broker] started for the tests (pid ${info.pid})\n`)
}
