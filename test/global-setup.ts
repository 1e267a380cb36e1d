/** Starts the project's broker and schema registry for the integration tests, unless already running. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT, start, stop } from '../scripts/broker/broker'
import { ensureVenv } from '../scripts/registry/python'
import { start as startRegistry } from '../scripts/registry/registry'
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
  try {
    const registry = await startRegistry()
    ;(globalThis as { __REGISTRY_STARTED_BY_TESTS__?: boolean }).__REGISTRY_STARTED_BY_TESTS__ = registry.started
    if (registry.started) process.stderr.write(`[registry] started for the tests (pid ${registry.info.pid})\n`)
    // The independent decoder of the schema-registry tests (Confluent's Python client).
    ensureVenv()
  } catch (error) {
    // Jest skips the teardown when the setup fails: stop the broker this run started.
    if (started) await stop()
    throw error
  }
}
