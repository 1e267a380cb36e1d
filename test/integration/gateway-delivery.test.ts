/**
 * Delivery semantics the SDKs rely on, and dead letters: 200 only once Kafka acknowledged every event (or
 * it is in the dead-letter topic), 503 when an event may be retried, 400 when one failed for good and
 * there is no dead-letter topic, 429 + Retry-After beyond the in-flight bound; a poisoned event lands in
 * the dead-letter topic with headers naming the error while its batch neighbours land in their topic.
 */
import { randomUUID } from 'node:crypto'
import type { ConfigFile } from '../../src/local/config-file'
import { startServer, type RunningServer } from '../../src/local/server'
import { basic, call, plaintextSettings, readUntil, securedServer, values, WRITE_KEY } from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'
import type { ServerConfig } from '../../src/local/server-config'

jest.setTimeout(120000)

/** Each event goes to the topic named in its properties; keyed by messageId. */
function routedConfig(server: ServerConfig, settings: ConfigFile['settings'] = plaintextSettings()): ConfigFile {
  return {
    settings,
    subscriptions: [
      {
        name: 'routed',
        subscribe: 'type = "track"',
        partnerAction: 'send',
        mapping: { topic: { '@path': '$.properties.topic' }, key: { '@path': '$.messageId' } }
      }
    ],
    server
  }
}

const track = (topic: string | undefined, messageId = `m-${randomUUID()}`): Record<string, unknown> => ({
  type: 'track',
  event: 'Order Completed',
  userId: 'u-1',
  messageId,
  properties: topic === undefined ? {} : { topic }
})

/** A port in this worktree's range where nothing listens: every connection is refused. */
const DEAD_BROKER = '127.0.0.1:21199'

describe('dead letters', () => {
  let server: RunningServer
  let good: string
  let dead: string
  beforeAll(async () => {
    good = await createTopic(uniqueTopic('gateway-good'))
    dead = await createTopic(uniqueTopic('gateway-dead'))
    server = await startServer({ port: 0, config: routedConfig(securedServer({ deadLetter: { topic: dead } })) })
  })
  afterAll(() => server?.close())

  it('a poisoned event goes to the dead-letter topic with headers; its neighbours land; the answer is 200', async () => {
    const batch = [
      track(good),
      track(undefined), // no topic: the mapping fails (400)
      track(good),
      track('not a topic name') // an invalid topic name (400)
    ]
    const ids = batch.map((e) => String(e.messageId))
    const reply = await call(server.url, 'POST', '/v1/batch', { batch }, basic(WRITE_KEY))
    expect(reply).toMatchObject({ status: 200, body: { success: true } })

    const landed = await readUntil(good, (rs) => rs.length >= 2)
    expect(landed.map((r) => r.key).sort()).toEqual([ids[0], ids[2]].sort())
    const letters = await readUntil(dead, (rs) => rs.length >= 2)
    expect(letters.map((r) => r.key).sort()).toEqual([ids[1], ids[3]].sort())
    const missing = letters.find((r) => r.key === ids[1])
    const unknown = letters.find((r) => r.key === ids[3])
    expect(missing?.headers).toMatchObject({
      'x-error-status': '400',
      'x-subscription': 'routed',
      'x-write-key-name': 'web',
      'x-error-message': expect.stringMatching(/topic/)
    })
    expect(missing?.headers['x-error-code']).toBeTruthy()
    expect(Number.isNaN(Date.parse(missing?.headers['x-failed-at'] ?? ''))).toBe(false)
    expect(unknown?.headers).toMatchObject({
      'x-error-status': '400',
      'x-error-message': expect.stringMatching(/not a valid Kafka topic name/)
    })
    // The value is the original event, completed.
    const [value] = values([missing ?? letters[0]])
    expect(value).toMatchObject({ type: 'track', messageId: ids[1], userId: 'u-1', receivedAt: expect.any(String) })

    const metrics = (await call(server.url, 'GET', '/metrics')).text
    // Our own code (the invalid topic name), as a single event reports it; actions-core's for its own check.
    expect(unknown?.headers['x-error-code']).toBe('INVALID_TOPIC_EXCEPTION')
    expect(metrics).toMatch(
      /kafka_gateway_events_dead_lettered_total\{write_key="web",subscription="routed",code="PAYLOAD_VALIDATION_FAILED"\} 1/
    )
    expect(metrics).toMatch(
      /kafka_gateway_events_dead_lettered_total\{write_key="web",subscription="routed",code="INVALID_TOPIC_EXCEPTION"\} 1/
    )
    expect(metrics).toMatch(
      new RegExp(`kafka_gateway_events_sent_total\\{write_key="web",subscription="routed",topic="other"\\} 2`)
    )
  })

  it('when the dead-letter write fails too (the event is too large for either topic), the answer is not 200', async () => {
    const huge = { ...track(good), properties: { topic: good, blob: 'x'.repeat(1_200_000) } }
    const reply = await call(server.url, 'POST', '/v1/track', huge, basic(WRITE_KEY))
    expect(reply.status).toBe(400)
    expect(String((reply.body.error as { message: string }).message)).toMatch(
      /nor written to the dead-letter topic|server\.maxEventBytes/
    )
  })
})

describe('answers without a dead-letter topic', () => {
  it('an event that cannot succeed as sent: 400 (the SDK does not retry it); the others of the batch land', async () => {
    const good = await createTopic(uniqueTopic('gateway-reject'))
    const server = await startServer({ port: 0, config: routedConfig(securedServer()) })
    try {
      const batch = [track(good), track(undefined)]
      const reply = await call(server.url, 'POST', '/v1/batch', { batch }, basic(WRITE_KEY))
      expect(reply.status).toBe(400)
      expect(reply.body).toMatchObject({ success: false, error: { code: 'REJECTED' } })
      expect(String((reply.body.error as { message: string }).message)).toMatch(/1 of 2 events/)
      expect((await readUntil(good, (rs) => rs.length >= 1)).map((r) => r.key)).toEqual([batch[0].messageId])
    } finally {
      await server.close()
    }
  })

  it('Kafka not answering: 503 (retryable); beyond the in-flight bound: 429 with Retry-After', async () => {
    const settings = { ...plaintextSettings(), brokers: DEAD_BROKER }
    const server = await startServer({
      port: 0,
      config: routedConfig(securedServer({ maxInFlightEvents: 10 }), settings)
    })
    try {
      const first = call(
        server.url,
        'POST',
        '/v1/batch',
        { batch: [1, 2, 3, 4, 5].map(() => track('t')) },
        basic(WRITE_KEY)
      )
      // Wait until the first request's events are in flight.
      for (;;) {
        const metrics = (await call(server.url, 'GET', '/metrics')).text
        if (/kafka_gateway_events_in_flight 5\b/.test(metrics)) break
        await new Promise((r) => setTimeout(r, 50))
      }
      const second = await call(
        server.url,
        'POST',
        '/v1/batch',
        { batch: [1, 2, 3, 4, 5, 6].map(() => track('t')) },
        basic(WRITE_KEY)
      )
      expect(second.status).toBe(429)
      expect(second.headers['retry-after']).toBe('1')
      expect(second.body).toMatchObject({ error: { code: 'TOO_MANY_EVENTS_IN_FLIGHT' } })
      // Within the bound another request is still taken.
      const small = call(server.url, 'POST', '/v1/track', track('t'), basic(WRITE_KEY))

      const answered = await first
      expect(answered.status).toBe(503)
      expect(answered.body).toMatchObject({ success: false, error: { code: 'NOT_ACKNOWLEDGED' } })
      expect(String((answered.body.error as { message: string }).message)).toMatch(/5 of 5 events/)
      expect((await small).status).toBe(503)
      const metrics = (await call(server.url, 'GET', '/metrics')).text
      expect(metrics).toMatch(/kafka_gateway_events_in_flight 0\b/)
      expect(metrics).toMatch(/kafka_gateway_http_requests_total\{route="\/v1\/batch",status="429"\} 1/)
    } finally {
      await server.close()
    }
  })
})
