/** Stops the broker if the test run started it; a broker started by hand keeps running. */
import { stop } from '../scripts/broker/broker'

export default async function globalTeardown(): Promise<void> {
  if ((globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean }).__KAFKA_STARTED_BY_TESTS__) await stop()
}
