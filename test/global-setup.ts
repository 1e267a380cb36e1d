/**
 * Starts what the integration tests need, each unless it is already running, through the same code as
 * the npm commands: the project's broker and its three-node cluster (`broker:start`, `cluster:start`),
 * then the schema registry (`registry:start`) and the Python decoder's virtual environment.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT, start, stop } from '../scripts/broker/broker'
import { startCluster, stopNode } from '../scripts/broker/cluster'
import { ensureVenv } from '../scripts/registry/python'
import { start as startRegistry } from '../scripts/registry/registry'
import { missingTools } from './helpers/prerequisites'

type Started = {
  __KAFKA_STARTED_BY_TESTS__?: boolean
  __CLUSTER_STARTED_BY_TESTS__?: number[]
  __REGISTRY_STARTED_BY_TESTS__?: boolean
}

export default async function globalSetup(): Promise<void> {
  const missing = missingTools(process.env, !fs.existsSync(path.join(ROOT, '.kafka', 'libs', '.complete')))
  if (missing) {
    // The sentence alone: a stack trace would bury it.
    const error = new Error(missing)
    error.stack = missing
    throw error
  }
  const g = globalThis as Started
  // Jest runs setup and teardown in one process: teardown stops only what setup started.
  const [broker, cluster] = await Promise.allSettled([start(), startCluster()])
  if (broker.status === 'fulfilled') {
    g.__KAFKA_STARTED_BY_TESTS__ = broker.value.started
    if (broker.value.started) process.stderr.write(`\n[broker] started for the tests (pid ${broker.value.info.pid})\n`)
  }
  if (cluster.status === 'fulfilled') {
    g.__CLUSTER_STARTED_BY_TESTS__ = cluster.value.started
    if (cluster.value.started.length)
      process.stderr.write(`[cluster] started node(s) ${cluster.value.started.join(', ')} for the tests\n`)
  }
  try {
    if (broker.status === 'rejected') throw broker.reason
    if (cluster.status === 'rejected') throw cluster.reason
    const registry = await startRegistry()
    g.__REGISTRY_STARTED_BY_TESTS__ = registry.started
    if (registry.started) process.stderr.write(`[registry] started for the tests (pid ${registry.info.pid})\n`)
    // The independent decoder of the schema-registry tests (Confluent's Python client).
    ensureVenv()
  } catch (error) {
    // Jest skips the teardown when the setup fails: stop what this run started.
    await Promise.all([
      g.__KAFKA_STARTED_BY_TESTS__ ? stop() : false,
      ...(g.__CLUSTER_STARTED_BY_TESTS__ ?? []).map((id) => stopNode(id))
    ])
    throw error
  }
}
