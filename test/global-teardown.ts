/** Stops the broker and the cluster if the test run started them; ones started by hand keep running. */
import { stop } from '../scripts/broker/broker'
import { stopCluster } from '../scripts/broker/cluster'

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean; __CLUSTER_STARTED_BY_TESTS__?: boolean }
  await Promise.all([
    g.__KAFKA_STARTED_BY_TESTS__ ? stop() : false,
    g.__CLUSTER_STARTED_BY_TESTS__ ? stopCluster() : []
  ])
}
