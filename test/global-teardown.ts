/** Stops the broker, then the identity provider, if the test run started them; ones started by hand keep running. */
import { stop } from '../scripts/broker/broker'
import { stop as stopIdp } from '../scripts/idp/idp'

export default async function globalTeardown(): Promise<void> {
  const started = globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean; __IDP_STARTED_BY_TESTS__?: boolean }
  if (started.__KAFKA_STARTED_BY_TESTS__) await stop()
  if (started.__IDP_STARTED_BY_TESTS__) await stopIdp()
}
