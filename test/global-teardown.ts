/** Stops what the test run started (provider, broker, cluster nodes, registry); what was started by hand keeps running. */
import { stopStarted, type Started } from './global-setup'

export default async function globalTeardown(): Promise<void> {
  await stopStarted(globalThis as Started)
}
