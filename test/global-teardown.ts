/** Stops the broker and the cluster nodes the test run started; ones started by hand keep running. */
import { stop } from '../scripts/broker/broker'
import { stopNode } from '../scripts/broker/cluster'

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean; __CLUSTER_STARTED_BY_TESTS__?: number[] }
  await Promise.all([
    g.__KAFKA_STARTED_BY_TESTS__ ? stop() : false,
    ...(g.__CLUSTER_STARTED_BY_TESTS__ ?? []).map((id) => stopNode(id))
  ])
}
