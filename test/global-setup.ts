/**
 * Starts the project's broker and its three-node cluster for the integration tests, each unless it is
 * already running (both through the same code as `npm run broker:start` / `cluster:start`).
 */
import { start } from '../scripts/broker/broker'
import { startCluster } from '../scripts/broker/cluster'

export default async function globalSetup(): Promise<void> {
  const [{ info, started }, cluster] = await Promise.all([start(), startCluster()])
  // Jest runs setup and teardown in one process: teardown stops only what setup started.
  ;(globalThis as { __KAFKA_STARTED_BY_TESTS__?: boolean }).__KAFKA_STARTED_BY_TESTS__ = started
  ;(globalThis as { __CLUSTER_STARTED_BY_TESTS__?: number[] }).__CLUSTER_STARTED_BY_TESTS__ = cluster.started
  if (started) process.stderr.write(`\n[broker] started for the tests (pid ${info.pid})\n`)
  if (cluster.started.length)
    process.stderr.write(`[cluster] started node(s) ${cluster.started.join(', ')} for the tests\n`)
}
