/**
 * The official Node SDK (@segment/analytics-node, unmodified) sending through the gateway during a
 * partial outage: subscription "a" writes to a replicated topic, subscription "b" to a topic whose only
 * replica is on a node that is down. The gateway answers 5xx (b failed, retryable), the SDK resends the
 * whole batch, and on the repeat the gateway sends each event only to the subscription that has not
 * acknowledged it (src/local/acknowledged-ids.ts). Once the node is back every event is in each topic
 * exactly once, read back with kcat, and /metrics counts the repeats.
 */
import { Analytics } from '@segment/analytics-node'
import { startServer, type RunningServer } from '../../../src/local/server'
import { bootstrapOf, createReplicatedTopic, createTopicOn, node, readClusterTopic, sleep } from '../../helpers/cluster'
import { useCluster } from '../../helpers/cluster-faults'
import { securedServer, WRITE_KEY } from '../../helpers/gateway'
import { closeAllProducers } from '../../../src'

useCluster(closeAllProducers)

const EVENTS = 60
const DOWN = 3

let server: RunningServer | undefined
afterAll(() => server?.close())

/** The value of a counter line of /metrics with these labels (0 when absent). */
function counter(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels))
  return line ? Number(line.split(' ').pop()) : 0
}

it('the Node SDK retries through a partial outage; every event is in each topic exactly once', async () => {
  const a = await createReplicatedTopic(`sdk-retry-a-${Date.now()}`)
  const b = await createTopicOn(`sdk-retry-b-${Date.now()}`, DOWN)
  const mapping = (topic: string) => ({ topic, key: { '@path': '$.messageId' }, payload: { '@path': '$.' } })
  server = await startServer({
    port: 0,
    config: {
      settings: { brokers: bootstrapOf([1, 2, 3]), mechanism: 'none', ssl_enabled: false },
      subscriptions: [
        { name: 'a', subscribe: 'type = "track"', partnerAction: 'send', mapping: mapping(a) },
        // A short broker-side wait: b fails quickly while its node is down.
        {
          name: 'b',
          subscribe: 'type = "track"',
          partnerAction: 'send',
          mapping: { ...mapping(b), request_timeout: 2000 }
        }
      ],
      server: securedServer()
    }
  })
  const metrics = async () => (await server!.context.metrics.text()).body

  await node.kill(DOWN)
  // The SDK waits for each answer (its timeout above the gateway's longest), and retries 5xx with backoff.
  const analytics = new Analytics({
    writeKey: WRITE_KEY,
    host: server.url,
    flushAt: 20,
    flushInterval: 60_000,
    maxRetries: 1000,
    httpRequestTimeout: 300_000
  })
  const errors: unknown[] = []
  const ids: string[] = []
  for (let i = 0; i < EVENTS; i++) {
    analytics.track({ userId: `u-${i % 7}`, event: 'Retried', properties: { i } }, (error, ctx) => {
      if (error) errors.push(error)
      if (ctx?.event.messageId) ids.push(ctx.event.messageId)
    })
  }
  // The outage lasts until it has made the gateway answer a retryable failure for b, then the node returns.
  const deadline = Date.now() + 180_000
  while (counter(await metrics(), 'kafka_gateway_events_failed_total', 'subscription="b"') === 0) {
    if (Date.now() > deadline) throw new Error('subscription b never failed during the outage')
    await sleep(200)
  }
  await node.startMissing()
  await analytics.closeAndFlush({ timeout: 300_000 })
  expect(errors).toEqual([])
  expect(ids).toHaveLength(EVENTS)

  const text = await metrics()
  expect(counter(text, 'kafka_gateway_events_repeated_total', 'subscription="a"')).toBeGreaterThan(0)
  for (const topic of [a, b]) {
    const copies = new Map<string, number>()
    for (const r of await readClusterTopic(topic)) copies.set(r.key ?? '', (copies.get(r.key ?? '') ?? 0) + 1)
    expect(ids.filter((id) => copies.get(id) !== 1)).toEqual([])
    expect(copies.size).toBe(EVENTS)
  }
}, 600_000)
