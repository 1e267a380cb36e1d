/** Stops the broker and the registry if the test run started them; ones started by hand keep running. */
import { stop } from '../scripts/broker/broker'
import { stop as stopRegistry } from '../scripts/registry/registry'

export default async function globalTeardown(): Promise<void> {
  const started = globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean; __REGISTRY_STARTED_BY_TESTS__?: boolean }
  if (started.__REGISTRY_STARTED_BY_TESTS__) await stopRegistry()
  if (started.__KAFKA_STARTED_BY_TESTS__) await stop()
}
