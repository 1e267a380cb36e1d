/** Starts the project's broker for the integration tests, unless one is already running. */
import { start } from '../scripts/broker/broker'

export default async function globalSetup(): Promise<void> {
  const { info, started } = await start()
  // Jest runs setup and teardown in one process: teardown stops only what setup started.
  ;(globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean }).__KAFKA_STARTED_BY_TESTS__ = started
  if (started) process.stderr.write(`\n[broker] started for the tests (pid ${info.pid})\n`)
}
