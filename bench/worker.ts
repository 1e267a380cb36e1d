/**
 * Runs one measurement in a fresh process (forked by run.ts, which sends the spec as argv[2] and
 * receives the result over IPC), so no run inherits another's connections, JIT state or heap.
 */
import * as fs from 'node:fs'
import * as inspector from 'node:inspector'
import * as path from 'node:path'
import { countConnects, openBrokerSockets, rssMb } from './connections'
import { generateEvents } from './events'
import { percentile } from './stats'
import type { TargetName } from './targets'

export interface WorkerSpec {
  target: TargetName
  /** `event`: one event per call; `batch`: `batchSize` events per call; `tenants`: one event per tenant. */
  mode: 'event' | 'batch' | 'tenants'
  brokers: string
  brokerPort: number
  topic: string
  /** Events to measure (tenants mode: the number of tenants). */
  events: number
  /** Events sent before measuring; neither their time nor their connects are counted. */
  warmup: number
  concurrency: number
  batchSize: number
  /** Stop measuring after this long even if fewer events were sent. */
  maxSeconds: number
  /** Write a V8 CPU profile of the measured part (not start-up or warm-up) to this file. */
  cpuProfile?: string
  /** Ours only: write the value as Avro with the schema registry at `registry`. */
  valueFormat?: 'json' | 'avro'
  registry?: { url: string; username: string; password: string }
  /** Ours: settings and mapping with their fields' defaults, as the gateway's config has them. */
  fieldDefaults?: boolean
  /** Target `gateway`: the tracking route the load generator posts to (`batch`: `batchSize` events a request). */
  route?: 'batch' | 'track'
}

export interface WorkerResult {
  events: number
  seconds: number
  eventsPerSec: number
  /** Latency of one call (one event, or one batch in batch mode), milliseconds. */
  p50Ms: number
  p99Ms: number
  /** TCP connects to the broker while measuring, and per 10,000 events. */
  connects: number
  connectsPer10k: number
  /** Client CPU (user + system) per event while measuring, microseconds: robust to a busy machine. */
  cpuUsPerEvent: number
  /** Sockets open to the broker at the end, before closing. */
  openSockets: number
  rssBeforeMb: number
  rssAfterMb: number
  /** Events actually written, warm-up included (checked against the topic's offsets by run.ts). */
  written: number
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as WorkerSpec
  // Subscribe before any Kafka client is loaded.
  const counter = countConnects(spec.brokerPort)
  if (spec.target === 'gateway') return gatewayMain(spec, counter)
  const { createTarget } = await import('./targets')
  const pool = generateEvents(2000)
  const target = createTarget(spec.target, {
    brokers: spec.brokers,
    topic: spec.topic,
    batchSize: spec.batchSize,
    valueFormat: spec.valueFormat,
    registry: spec.registry,
    fieldDefaults: spec.fieldDefaults
  })
  const tenantMode = spec.mode === 'tenants'
  const per = spec.mode === 'batch' ? spec.batchSize : 1
  let cursor = 0
  const nextEvents = (): typeof pool => {
    const out: typeof pool = []
    for (let i = 0; i < per; i++) out.push(pool[cursor++ % pool.length])
    return out
  }
  const call = (tenant?: number): Promise<void> => {
    const events = nextEvents()
    return per === 1 && spec.mode !== 'batch' ? target.sendOne(events[0], tenant) : target.sendBatch(events, tenant)
  }
  let written = 0

  // Warm-up: the same calls, sequential, unmeasured (in tenants mode as the default tenant, which is
  // none of the measured ones).
  for (let sent = 0; sent < spec.warmup; sent += per) {
    await call()
    written += per
  }

  global.gc?.()
  counter.reset()
  const rssBeforeMb = rssMb()
  const calls = Math.ceil(spec.events / per)
  const latencies = new Float64Array(calls)
  let issued = 0
  let done = 0
  const profiler = spec.cpuProfile ? await startProfiler() : undefined
  const deadline = Date.now() + spec.maxSeconds * 1000
  const cpuBefore = process.cpuUsage()
  const started = process.hrtime.bigint()
  const lane = async (): Promise<void> => {
    while (issued < calls && Date.now() < deadline) {
      const index = issued++
      const t0 = process.hrtime.bigint()
      await call(tenantMode ? index : undefined)
      latencies[done++] = Number(process.hrtime.bigint() - t0) / 1e6
    }
  }
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, calls) }, lane))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const cpu = process.cpuUsage(cpuBefore)
  if (profiler && spec.cpuProfile) await profiler.stop(spec.cpuProfile)
  written += done * per
  const events = done * per
  const openSockets = openBrokerSockets(spec.brokerPort)
  global.gc?.()
  const result: WorkerResult = {
    events,
    seconds: Math.round(seconds * 1000) / 1000,
    eventsPerSec: Math.round(events / seconds),
    p50Ms: round(percentile(latencies.subarray(0, done), 50)),
    p99Ms: round(percentile(latencies.subarray(0, done), 99)),
    cpuUsPerEvent: Math.round(((cpu.user + cpu.system) / events) * 10) / 10,
    connects: counter.connects,
    connectsPer10k: Math.round((counter.connects / events) * 10000 * 10) / 10,
    openSockets,
    rssBeforeMb,
    rssAfterMb: rssMb(),
    written
  }
  await target.close()
  process.send?.(result)
}

/** The gateway in this process, its load from a generator process (gateway-load.ts). */
async function gatewayMain(spec: WorkerSpec, counter: ReturnType<typeof countConnects>): Promise<void> {
  const { measureGateway } = await import('./gateway-load')
  const rssBeforeMb = rssMb()
  let openSockets = 0
  let connects = 0
  const run = await measureGateway(
    { brokers: spec.brokers, topic: spec.topic, cpuProfile: spec.cpuProfile },
    {
      route: spec.route ?? 'batch',
      batchSize: spec.batchSize,
      events: spec.events,
      warmup: spec.warmup,
      concurrency: spec.concurrency,
      maxSeconds: spec.maxSeconds
    },
    startProfiler,
    {
      warm: () => counter.reset(),
      measured: () => {
        connects = counter.connects
        openSockets = openBrokerSockets(spec.brokerPort)
      }
    }
  )
  const result: WorkerResult = {
    ...run,
    connects,
    connectsPer10k: Math.round((connects / run.events) * 10000 * 10) / 10,
    openSockets,
    rssBeforeMb,
    rssAfterMb: rssMb()
  }
  process.send?.(result)
}

async function startProfiler(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new inspector.Session()
  session.connect()
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)))
    )
  await post('Profiler.enable')
  await post('Profiler.setSamplingInterval', { interval: 200 })
  await post('Profiler.start')
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown }
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, JSON.stringify(profile))
      session.disconnect()
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  }
)
