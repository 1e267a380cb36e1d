/**
 * The "tenant churn" scenario, shared by the fast version (npm test) and the long one: events for
 * many distinct settings (one clientId each, so one pooled producer each) through one Destination,
 * round after round. Measures the open sockets of this process to the broker (sampled while
 * sending), the evictions the pool reports, and the heap after a full GC at the end of each round.
 */
import * as v8 from 'node:v8'
import * as vm from 'node:vm'
import { createTestEvent, type JSONObject } from '@segment/actions-core'
import { closeAllProducers } from '../../src'
import { observeProducerPool, producerPool } from '../../src/producers'
import { openSocketsTo, sleep } from './fault-broker'
import { capturingStats, inParallel, runtime, sendEvent, type StatCall } from './runtime'

export interface ChurnFigures {
  tenants: number
  rounds: number
  events: number
  failed: number
  poolMax: number
  /** Most sockets to the broker seen at once, and the sockets per producer measured with one. */
  maxSockets: number
  socketsPerProducer: number
  evictions: number
  /** Heap used after a full GC at the end of each round, in MB. */
  heapMb: number[]
  /** Sockets left after closeAllProducers. */
  socketsAfterClose: number
  ms: number
}

/** A full GC without --expose-gc on the command line. */
export function fullGc(): () => void {
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc') as () => void
}

async function settledHeapMb(gc: () => void): Promise<number> {
  // Let retired producers finish disconnecting and timers fire, then collect twice.
  await sleep(500)
  gc()
  await sleep(50)
  gc()
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10
}

export async function tenantChurn(o: {
  bootstrap: string
  port: number
  topic: string
  tenants: number
  rounds: number
  concurrency?: number
}): Promise<ChurnFigures> {
  const started = Date.now()
  const gc = fullGc()
  const dest = runtime()
  const calls: StatCall[] = []
  const mapping: JSONObject = { topic: o.topic, payload: { '@path': '$.' } }
  const settings = (tenant: number): JSONObject => ({
    brokers: o.bootstrap,
    mechanism: 'none',
    ssl_enabled: false,
    clientId: `tenant-${tenant}`
  })
  await closeAllProducers()

  // Sockets one producer holds once it has sent (bootstrap + the broker found in the metadata).
  await sendEvent(dest, settings(-1), mapping, createTestEvent())
  const socketsPerProducer = openSocketsTo(o.port)
  await closeAllProducers()

  const figures: ChurnFigures = {
    tenants: o.tenants,
    rounds: o.rounds,
    events: 0,
    failed: 0,
    poolMax: producerPool.max,
    maxSockets: 0,
    socketsPerProducer,
    evictions: 0,
    heapMb: [],
    socketsAfterClose: 0,
    ms: 0
  }
  // Evictions are the pool's own events (not any call's): counted through its observer.
  const unobserve = observeProducerPool({ evicted: () => figures.evictions++ })
  const tenants = Array.from({ length: o.tenants }, (_, i) => i)
  for (let round = 0; round < o.rounds; round++) {
    await inParallel(tenants, o.concurrency ?? 10, async (tenant, i) => {
      const r = await sendEvent(dest, settings(tenant), mapping, createTestEvent({ properties: { round, tenant } }), {
        // A StatsContext per call, as a runtime gives: actions-core appends a tag to the one it gets.
        statsContext: capturingStats(calls)
      })
      figures.events++
      if (!r.ok) figures.failed++
      if (i % 5 === 0) figures.maxSockets = Math.max(figures.maxSockets, openSocketsTo(o.port))
    })
    // Dropped each round, so the capture itself does not grow the heap.
    calls.length = 0
    figures.heapMb.push(await settledHeapMb(gc))
  }
  unobserve()
  await closeAllProducers()
  await sleep(200)
  figures.socketsAfterClose = openSocketsTo(o.port)
  figures.ms = Date.now() - started
  return figures
}
