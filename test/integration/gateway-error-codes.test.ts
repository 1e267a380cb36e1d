/**
 * One translation per boundary: the same failure reports the same code on every route. The send action's
 * own code (e.g. INVALID_TOPIC_EXCEPTION, PARTITION_OUT_OF_RANGE) reaches `/v1/track` (one event: onEvent),
 * `/v1/batch` and `/events` (one event, and an array: onBatch) alike: in the per-event results, in the
 * dead letter's `x-error-code` header, and in the metrics' `code` label. The dead letter's key follows one
 * rule on every route: the messageId, else the userId.
 */
import { randomUUID } from 'node:crypto'
import type { ConfigFile } from '../../src/local/config-file'
import { startServer, type RunningServer } from '../../src/local/server'
import { basic, call, plaintextSettings, readUntil, securedServer, WRITE_KEY } from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'

jest.setTimeout(120000)

/** Each event goes to the topic (and partition) named in its properties. */
function routedConfig(deadLetterTopic: string): ConfigFile {
  return {
    settings: plaintextSettings(),
    subscriptions: [
      {
        name: 'routed',
        subscribe: 'type = "track"',
        partnerAction: 'send',
        mapping: {
          topic: { '@path': '$.properties.topic' },
          partition: { '@path': '$.properties.partition' },
          key: { '@path': '$.messageId' }
        }
      }
    ],
    server: securedServer({ deadLetter: { topic: deadLetterTopic } })
  }
}

let server: RunningServer
let good: string
let dead: string
beforeAll(async () => {
  good = await createTopic(uniqueTopic('codes-good'))
  dead = await createTopic(uniqueTopic('codes-dead'))
  server = await startServer({ port: 0, config: routedConfig(dead) })
})
afterAll(() => server?.close())

type Failure = { name: string; code: string; properties: () => Record<string, unknown> }
const FAILURES: Failure[] = [
  { name: 'an invalid topic name', code: 'INVALID_TOPIC_EXCEPTION', properties: () => ({ topic: 'not a topic!' }) },
  {
    name: 'a partition the topic lacks',
    code: 'PARTITION_OUT_OF_RANGE',
    properties: () => ({ topic: good, partition: 7 })
  }
]

const event = (properties: Record<string, unknown>, messageId?: string): Record<string, unknown> => ({
  type: 'track',
  event: 'Order Completed',
  userId: `u-${randomUUID()}`,
  ...(messageId ? { messageId } : {}),
  properties
})

function metricValue(text: string, metric: string, code: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`kafka_gateway_${metric}{`) && l.includes(`code="${code}"`))
  return line ? Number(line.split(' ').pop()) : 0
}

describe.each(FAILURES)('$name', ({ code, properties }) => {
  it('gives the same code on /v1/track, /v1/batch and /events: answer, dead letter and metrics', async () => {
    const ids = [1, 2, 3].map(() => `m-${randomUUID()}`)
    const track = await call(server.url, 'POST', '/v1/track', event(properties(), ids[0]), basic(WRITE_KEY))
    const batch = await call(
      server.url,
      'POST',
      '/v1/batch',
      { batch: [event(properties(), ids[1])] },
      basic(WRITE_KEY)
    )
    const one = await call(server.url, 'POST', '/events', event(properties(), ids[2]), basic(WRITE_KEY))
    // An event without a messageId (only /events takes those): its dead letter is keyed by its userId.
    const bare = event(properties())
    const array = await call(server.url, 'POST', '/events', [bare], basic(WRITE_KEY))

    // Dead-lettered: the tracking API answers 200; /events says which code each delivery failed with.
    expect([track.status, batch.status]).toEqual([200, 200])
    const oneDelivery = (one.body.deliveries as { code?: string; deadLettered?: boolean }[])[0]
    const arrayDelivery = (array.body.results as { deliveries: { code?: string }[] }[])[0].deliveries[0]
    expect(oneDelivery).toMatchObject({ code, deadLettered: true })
    expect(arrayDelivery).toMatchObject({ code })

    const keys = [...ids, String(bare.userId)]
    const letters = await readUntil(dead, (rs) => keys.every((k) => rs.some((r) => r.key === k)))
    const byKey = new Map(letters.map((r) => [r.key, r.headers['x-error-code']]))
    expect(keys.map((k) => byKey.get(k))).toEqual([code, code, code, code])

    const metrics = (await call(server.url, 'GET', '/metrics')).text
    expect(metricValue(metrics, 'events_dead_lettered_total', code)).toBe(4)
    expect(metricValue(metrics, 'events_failed_total', code)).toBe(4)
  })
})
