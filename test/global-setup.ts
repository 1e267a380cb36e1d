/**
 * Starts what the integration tests need, each unless it is already running, through the same code as
 * the npm commands: the identity provider then the broker (its OIDC listener needs the provider's signing
 * keys at start), and beside them the three-node cluster and the schema registry; then the Python
 * decoder's virtual environment.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT, start, stop } from '../scripts/broker/broker'
import { startCluster, stopNode } from '../scripts/broker/cluster'
import { start as startIdp, stop as stopIdp } from '../scripts/idp/idp'
import { ensureVenv } from '../scripts/registry/python'
import { start as startRegistry, stop as stopRegistry } from '../scripts/registry/registry'
import { missingTools } from './helpers/prerequisites'

export interface Started {
  __IDP_STARTED_BY_TESTS__?: boolean
  __KAFKA_STARTED_BY_TESTS__?: boolean
  __CLUSTER_STARTED_BY_TESTS__?: number[]
  __REGISTRY_STARTED_BY_TESTS__?: boolean
}

const say = (line: string): boolean => process.stderr.write(`${line}\n`)

async function providerThenBroker(g: Started): Promise<void> {
  try {
    const idp = await startIdp()
    g.__IDP_STARTED_BY_TESTS__ = idp.started
    if (idp.started) say(`[idp] started for the tests (pid ${idp.info.pid})`)
  } catch (error) {
    // The other suites still run; the OIDC tests fail with this reason (the workers inherit the variable).
    process.env.IDP_START_ERROR = error instanceof Error ? error.message : String(error)
    say(`[idp] could not start, the OIDC tests will fail: ${process.env.IDP_START_ERROR}`)
  }
  const { info, started } = await start()
  g.__KAFKA_STARTED_BY_TESTS__ = started
  if (started) say(`[broker] started for the tests (pid ${info.pid})`)
}

/** Stops what this run started (also the teardown's job). */
export async function stopStarted(g: Started): Promise<void> {
  await Promise.all([
    g.__REGISTRY_STARTED_BY_TESTS__ ? stopRegistry() : false,
    g.__KAFKA_STARTED_BY_TESTS__ ? stop() : false,
    ...(g.__CLUSTER_STARTED_BY_TESTS__ ?? []).map((id) => stopNode(id))
  ])
  // After the broker: a broker that outlived its provider would log failed key fetches.
  if (g.__IDP_STARTED_BY_TESTS__) await stopIdp()
}

export default async function globalSetup(): Promise<void> {
  const missing = missingTools(process.env, !fs.existsSync(path.join(ROOT, '.kafka', 'libs', '.complete')))
  if (missing) {
    // The sentence alone: a stack trace would bury it.
    const error = new Error(missing)
    error.stack = missing
    throw error
  }
  // Jest runs setup and teardown in one process: teardown stops only what setup started.
  const g = globalThis as Started
  const results = await Promise.allSettled([
    providerThenBroker(g),
    startCluster().then((cluster) => {
      g.__CLUSTER_STARTED_BY_TESTS__ = cluster.started
      if (cluster.started.length) say(`[cluster] started node(s) ${cluster.started.join(', ')} for the tests`)
    }),
    startRegistry().then((registry) => {
      g.__REGISTRY_STARTED_BY_TESTS__ = registry.started
      if (registry.started) say(`[registry] started for the tests (pid ${registry.info.pid})`)
    })
  ])
  try {
    for (const r of results) if (r.status === 'rejected') throw r.reason
    // The independent decoder of the schema-registry tests (Confluent's Python client).
    ensureVenv()
  } catch (error) {
    // Jest skips the teardown when the setup fails: stop what this run started.
    await stopStarted(g)
    throw error
  }
}
