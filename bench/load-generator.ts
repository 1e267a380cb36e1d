/**
 * The gateway's load generator, in a process of its own (forked by gateway-load.ts, which runs the
 * gateway): builds every request body before measuring (serialised once, each event with a messageId of
 * its own so no dedup window can drop one), then posts them over keep-alive connections with
 * `concurrency` requests in flight, and reports what it sent and the latency of each request.
 *
 * Protocol over IPC: argv[2] is the spec; the generator warms up (sequentially), sends `{ type: 'warm' }`,
 * waits for `{ type: 'go' }`, runs the measured phase and sends `{ type: 'done', ... }`.
 */
import { randomUUID } from 'node:crypto'
import * as http from 'node:http'
import { generateEvents } from './events'
import { percentile } from './stats'

export interface LoadSpec {
  url: string
  writeKey: string
  /** `batch`: `/v1/batch` with `batchSize` events per request; `track`: `/v1/track`, one event per request. */
  route: 'batch' | 'track'
  batchSize: number
  events: number
  warmup: number
  concurrency: number
  maxSeconds: number
}

export type LoadMessage =
  | { type: 'warm' }
  | { type: 'done'; events: number; seconds: number; p50Ms: number; p99Ms: number; written: number }
  | { type: 'failed'; message: string }

function bodies(spec: LoadSpec, requests: number): Buffer[] {
  const pool = generateEvents(2000)
  const run = randomUUID().slice(0, 8)
  const per = spec.route === 'batch' ? spec.batchSize : 1
  const out: Buffer[] = []
  let cursor = 0
  for (let r = 0; r < requests; r++) {
    const events = Array.from({ length: per }, () => {
      const e = pool[cursor % pool.length]
      return { ...e, messageId: `${run}-${cursor++}` }
    })
    out.push(Buffer.from(JSON.stringify(spec.route === 'batch' ? { batch: events } : events[0])))
  }
  return out
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as LoadSpec
  const per = spec.route === 'batch' ? spec.batchSize : 1
  const warmCalls = Math.ceil(spec.warmup / per)
  const calls = Math.ceil(spec.events / per)
  const all = bodies(spec, warmCalls + calls)
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency })
  const target = new URL(`/v1/${spec.route}`, spec.url)
  const authorization = `Basic ${Buffer.from(`${spec.writeKey}:`).toString('base64')}`
  const post = (body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length, authorization }
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            if (res.statusCode === 200) return resolve()
            reject(
              new Error(
                `${target.pathname} answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`
              )
            )
          })
        }
      )
      req.on('error', reject)
      req.end(body)
    })

  for (let i = 0; i < warmCalls; i++) await post(all[i])
  process.send?.({ type: 'warm' } satisfies LoadMessage)
  await new Promise<void>((resolve) => process.once('message', () => resolve()))

  const latencies = new Float64Array(calls)
  let issued = 0
  let done = 0
  const deadline = Date.now() + spec.maxSeconds * 1000
  const started = process.hrtime.bigint()
  const lane = async (): Promise<void> => {
    while (issued < calls && Date.now() < deadline) {
      const body = all[warmCalls + issued++]
      const t0 = process.hrtime.bigint()
      await post(body)
      latencies[done++] = Number(process.hrtime.bigint() - t0) / 1e6
    }
  }
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, calls) }, lane))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  agent.destroy()
  const measured = latencies.subarray(0, done)
  const round = (ms: number): number => Math.round(ms * 1000) / 1000
  process.send?.({
    type: 'done',
    events: done * per,
    seconds,
    p50Ms: round(percentile(measured, 50)),
    p99Ms: round(percentile(measured, 99)),
    written: (warmCalls + done) * per
  } satisfies LoadMessage)
}

main().catch((error: unknown) => {
  process.send?.({
    type: 'failed',
    message: error instanceof Error ? error.message : String(error)
  } satisfies LoadMessage)
  process.exitCode = 1
})
