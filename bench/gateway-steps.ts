/**
 * Where the gateway's µs per event go, step by step, without a broker: CPU time (user + system) per
 * event of each step the gateway takes for a `/v1/batch` request, beside the direct `onBatch` the
 * bench's `ours` rows make. The destination is ours with its Kafka send replaced by nothing (the
 * mapping, validation and subscriptions are the real ones), so the figures are the gateway's own work
 * and that of actions-core, not Kafka's.
 *
 *   tsx bench/gateway-steps.ts [batchSize] [rounds] [distDir]
 *
 * distDir: a build of src/ (default: the TypeScript sources through tsx), e.g. one of an earlier commit
 * for a before/after (see run.ts's --ours DIR).
 */
import { createRequire } from 'node:module'
import * as path from 'node:path'
import type { DestinationDefinition, SegmentEvent } from '@segment/actions-core'
import { generateEvents } from './events'
import { median } from './stats'

type AnyDefinition = DestinationDefinition<unknown>

const [batchArg, roundsArg, dirArg] = process.argv.slice(2)
const BATCH = Number(batchArg ?? 100)
const ROUNDS = Number(roundsArg ?? 200)
const from = dirArg ? path.resolve(dirArg) : path.resolve(__dirname, '..', 'src')

const own = (require(from) as { default: AnyDefinition }).default
const { checkBatch } = require(path.join(from, 'local', 'tracking-schemas')) as {
  checkBatch(body: unknown): { batch: Record<string, unknown>[] }
}
const { completeEvent } = require(path.join(from, 'local', 'complete-event')) as {
  completeEvent(e: Record<string, unknown>, at: Date, envelope?: object): SegmentEvent
}
const { openRunner } = require(path.join(from, 'local', 'startup')) as {
  openRunner(config: unknown, definition: AnyDefinition): Promise<{ destination: never; config: never }>
}
const { runBatch, runEvent } = require(path.join(from, 'local', 'subscriptions')) as {
  runBatch(destination: unknown, config: unknown, events: SegmentEvent[]): Promise<unknown[]>
  runEvent(destination: unknown, config: unknown, event: SegmentEvent): Promise<unknown>
}
const { EventDelivery } = require(path.join(from, 'local', 'deliver-events')) as {
  EventDelivery: new (
    runner: unknown,
    metrics: unknown
  ) => {
    deliver(events: SegmentEvent[], caller: unknown, route: string, single: boolean): Promise<unknown>
  }
}
const { GatewayMetrics } = require(path.join(from, 'local', 'metrics')) as {
  GatewayMetrics: new (size: () => number) => unknown
}

/** Ours with the send replaced by nothing: one success per event, as our performBatch answers. */
function withoutKafka(definition: AnyDefinition): AnyDefinition {
  const send = definition.actions.send
  return {
    ...definition,
    actions: {
      ...definition.actions,
      send: { ...send, perform: async () => ({}), performBatch: async () => undefined } as typeof send
    }
  }
}

const REPEATS = 5
const samples = new Map<string, number[]>()

/** CPU µs per event of `step`, measured REPEATS times over the whole list (interleaved); medians printed. */
async function cpuPerEvent(label: string, step: (round: number) => unknown): Promise<void> {
  for (let i = 0; i < 20; i++) await step(i) // warm up
  const before = process.cpuUsage()
  for (let i = 0; i < ROUNDS; i++) await step(i)
  const used = process.cpuUsage(before)
  samples.set(label, [...(samples.get(label) ?? []), (used.user + used.system) / (ROUNDS * BATCH)])
}

async function main(): Promise<void> {
  const definition = withoutKafka(own)
  const mapping = { topic: 'bench', payload: { '@path': '$.' }, key: { '@path': '$.userId' } }
  const subscription = { name: 'bench', subscribe: 'type = "track"', partnerAction: 'send', mapping }
  const settings = { brokers: '127.0.0.1:9', clientId: 'bench', mechanism: 'none', ssl_enabled: false }
  const runner = await openRunner({ settings, subscriptions: [subscription] }, definition)
  const pool = generateEvents(2000)
  const texts = Array.from({ length: 20 }, (_, r) =>
    JSON.stringify({ batch: Array.from({ length: BATCH }, (_, i) => pool[(r * BATCH + i) % pool.length]) })
  )
  const parsed = texts.map((t) => JSON.parse(t) as { batch: Record<string, unknown>[] })
  const completed = parsed.map((p) => p.batch.map((e) => completeEvent(e, new Date())))
  const direct = pool.slice(0, BATCH)
  // The project's own actions-core (bench/node_modules holds Segment's copy).
  const rootRequire = createRequire(path.resolve(__dirname, '..', 'package.json'))
  const { Destination } = rootRequire('@segment/actions-core') as typeof import('@segment/actions-core')
  const destination = new Destination(definition)
  const caller = { name: 'bench' }
  const delivery = new EventDelivery(runner, new GatewayMetrics(() => 0))
  const steps = async (): Promise<void> => {
    await cpuPerEvent('JSON.parse of the body', (r) => JSON.parse(texts[r % texts.length]))
    await cpuPerEvent('JSON.parse + checkBatch (ajv, each event)', (r) =>
      checkBatch(JSON.parse(texts[r % texts.length]))
    )
    await cpuPerEvent('completeEvent', (r) => parsed[r % parsed.length].batch.map((e) => completeEvent(e, new Date())))
    await cpuPerEvent('direct onBatch (what the `ours` rows call)', () =>
      destination.onBatch(direct, { ...settings, subscription } as never)
    )
    const filled = (runner.config as unknown as { subscriptions: (typeof subscription)[] }).subscriptions[0]
    await cpuPerEvent("direct onBatch, the config's mapping (field defaults filled)", (r) =>
      destination.onBatch(completed[r % completed.length], { ...settings, subscription: filled } as never)
    )
    await cpuPerEvent('runBatch (the subscription engine)', (r) =>
      runBatch(runner.destination, runner.config, completed[r % completed.length])
    )
    await cpuPerEvent('EventDelivery.deliver (engine + dead letters + metrics)', (r) =>
      delivery.deliver(completed[r % completed.length], caller, '/v1/batch', false)
    )
    // One event a call (`/v1/track`), the same events one by one, one call at a time.
    await cpuPerEvent("single events: onEvent, the config's mapping", async (r) => {
      for (const e of completed[r % completed.length])
        await destination.onEvent(e, { ...settings, subscription: filled } as never)
    })
    await cpuPerEvent('single events: runEvent (the subscription engine)', async (r) => {
      for (const e of completed[r % completed.length]) await runEvent(runner.destination, runner.config, e)
    })
  }
  process.stdout.write(`${BATCH} events a request, ${ROUNDS} rounds, median of ${REPEATS}, src from ${from}\n`)
  for (let repeat = 0; repeat < REPEATS; repeat++) await steps()
  for (const [label, values] of samples) {
    const us = median(values)
    const range = `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}`
    process.stdout.write(`${label.padEnd(62)} ${us.toFixed(1).padStart(6)} µs/event  (${range})\n`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
