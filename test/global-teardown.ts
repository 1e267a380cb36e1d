/** Stops the broker, the cluster nodes and the registry the test run started; ones started by hand keep running. */
import { stop } from '../scripts/broker/broker'
import { stopNode } from '../scripts/broker/cluster'
import { stop as stopRegistry } from '../scripts/registry/registry'

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as {
    __KAFKA_STARTED_BY_TESTS__?: boolean
    __CLUSTER_STARTED_BY_TESTS__?: number[]
    __REGISTRY_STARTED_BY_TESTS__?: boolean
  }
  await Promise.all([
    g.__REGISTRY_STARTED_BY_TESTS__ ? stopRegistry() : false,
    g.__KAFKA_STARTED_BY_TESTS__ ? stop() : false,
    ...(g.__CLUSTER_STARTED_BY_TESTS__ ?? []).map((id) => stopNode(id))
  ])
}
