/**
 * Starts the project's identity provider, then the broker, for the integration tests, unless they are
 * already running. The provider comes first: the broker's OIDC listener needs its signing keys at start.
 */
import { start } from '../scripts/broker/broker'
import { start as startIdp } from '../scripts/idp/idp'

export default async function globalSetup(): Promise<void> {
  try {
    const idp = await startIdp()
    // Jest runs setup and teardown in one process: teardown stops only what setup started.
    ;(globalThis as { __IDP_STARTED_BY_TESTS__?: boolean }).__IDP_STARTED_BY_TESTS__ = idp.started
    if (idp.started) process.stderr.write(`\n[idp] started for the tests (pid ${idp.info.pid})\n`)
  } catch (error) {
    // The other suites still run; the OIDC tests fail with this reason (the workers inherit the variable).
    process.env.IDP_START_ERROR = error instanceof Error ? error.message : String(error)
    process.stderr.write(`\n[idp] could not start, the OIDC tests will fail: ${process.env.IDP_START_ERROR}\n`)
  }
  const { info, started } = await start()
  ;(globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean }).__KAFKA_STARTED_BY_TESTS__ = started
  if (started) process.stderr.write(`\n[broker] started for the tests (pid ${info.pid})\n`)
}
