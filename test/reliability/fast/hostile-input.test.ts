/**
 * The gateway against hostile and broken clients, as the real server (startServer) in front of the real
 * broker: malformed request lines over raw sockets, pathological paths, unexpected errors inside a route.
 * Every case ends with the same checks: no 5xx for a client's mistake, no secret in any answer, /health
 * still answers and /metrics parses; every event answered 200 is read back from Kafka with kcat.
 */
import { randomUUID } from 'node:crypto'
import * as net from 'node:net'
import type { DestinationDefinition } from '@segment/actions-core'
import definition from '../../../src'
import { startServer, type RunningServer } from '../../../src/local/server'
import {
  ADMIN_TOKEN,
  basic,
  bearer,
  call,
  gatewayConfig,
  OTHER_WRITE_KEY,
  readUntil,
  securedServer,
  WRITE_KEY
} from '../../helpers/gateway'
import { rawRequest, seriesOf, stillServing } from '../../helpers/hostile'
import { createTopic, uniqueTopic } from '../../helpers/kafka'
import { until } from '../../helpers/wait'

jest.setTimeout(60000)

const SECRETS = [WRITE_KEY, OTHER_WRITE_KEY, ADMIN_TOKEN]

/** The package's destination with one more action that throws a plain TypeError: a bug, on demand. */
const withBug: DestinationDefinition<unknown> = {
  ...(definition as DestinationDefinition<unknown>),
  actions: {
    ...(definition as DestinationDefinition<unknown>).actions,
    bug: {
      title: 'Bug',
      description: 'Throws an error nobody meant to throw',
      fields: {},
      perform: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')")
      }
    }
  }
}

let server: RunningServer
let topic: string
/** Every answer of the suite, searched for secrets at the end. */
const answers: string[] = []

beforeAll(async () => {
  topic = await createTopic(uniqueTopic('hostile'))
  server = await startServer({ port: 0, config: gatewayConfig(topic, securedServer()), definition: withBug })
})
afterAll(() => server?.close())

afterEach(async () => {
  await stillServing(server.url)
})

afterAll(() => {
  for (const text of answers) for (const secret of SECRETS) expect(text).not.toContain(secret)
})

const raw = async (...args: Parameters<typeof rawRequest>) => {
  const reply = await rawRequest(...args)
  answers.push(reply.text)
  return reply
}

describe('malformed request lines (raw sockets)', () => {
  it.each([
    ['GET //[ HTTP/1.1', 400],
    ['GET http://[/ HTTP/1.1', 400],
    ['GET //%zz/health HTTP/1.1', 400],
    ['GET /health%G0 HTTP/1.1', 400],
    ['GET * HTTP/1.1', 400],
    ['POST //[ HTTP/1.1', 400],
    ['GET /[]/v1/track HTTP/1.1', 400]
  ])('%s is answered %d and the server keeps serving', async (line, status) => {
    const reply = await raw(server.url, [`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`])
    expect(reply.status).toBe(status)
    expect(reply.text).toMatch(/BAD_REQUEST_TARGET/)
  })

  it.each([
    ['a request line of garbage', '\x00\x01\x02 garbage\r\n\r\n'],
    ['no HTTP version', 'GET /health\r\n\r\n'],
    ['a space in the path', 'GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an unknown version', 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a header without a colon', 'GET /health HTTP/1.1\r\nHost x\r\n\r\n'],
    [
      'both content-length and chunked',
      'POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
    ],
    [
      'two different content-lengths',
      'POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'
    ]
  ])('%s: never a 5xx', async (_what, bytes) => {
    const reply = await raw(server.url, [bytes])
    expect(reply.status).toBeLessThan(500)
  })
})

describe('pathological paths', () => {
  const slashes = `/a${'/'.repeat(16000)}x`
  it('a path of 16,000 slashes is a plain 404', async () => {
    const reply = await call(server.url, 'GET', slashes)
    answers.push(reply.text)
    expect(reply.status).toBe(404)
  })

  it('20 of them at once, then /health still answers', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(server.url, 'GET', `${slashes}/`)))
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 404))
    expect((await call(server.url, 'GET', '/health')).status).toBe(200)
  })

  it('a path longer than the header limit is refused by Node (431), not by us', async () => {
    const reply = await raw(server.url, [`GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`])
    expect(reply.status === 0 || reply.status === 431 || reply.status === 414).toBe(true)
  })
})

describe('an unexpected error inside a route', () => {
  it('is a 500 for that request alone, with a request id, and counted in /metrics', async () => {
    const reply = await call(server.url, 'POST', '/bug', { payload: {} }, bearer(ADMIN_TOKEN))
    answers.push(reply.text)
    expect(reply.status).toBe(500)
    const id = reply.headers['x-request-id']
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(reply.body).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' }, requestId: id })
    // The error's own text stays in the log.
    expect(reply.text).not.toContain('reading')
    const metrics = await stillServing(server.url)
    expect(seriesOf(metrics, 'kafka_gateway_unexpected_errors_total')).toContain(
      'kafka_gateway_unexpected_errors_total{where="request",route="/bug"} 1'
    )
  })
})

/** messageIds answered 200 (must be in Kafka) and refused (must not be). */
const delivered: string[] = []
const refused: string[] = []

const deep = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true }
  for (let i = 0; i < levels; i++) value = { a: value }
  return value
}
const track = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'track',
  event: 'Hostile',
  userId: 'u-1',
  messageId: `m-${randomUUID()}`,
  ...extra
})
const messageOf = (reply: { body: Record<string, unknown> }): string =>
  String((reply.body.error as { message?: string } | undefined)?.message)
const post = async (route: string, body: unknown, headers: Record<string, string> = basic(WRITE_KEY)) => {
  const reply = await call(server.url, 'POST', route, body, headers)
  answers.push(reply.text)
  expect(reply.status).toBeLessThan(500)
  return reply
}

describe('one bad event fails alone, with a 400 naming the field', () => {
  it('/v1/batch: two good events and one nested 3,000 levels: the good ones delivered, the deep one named', async () => {
    const [a, bad, b] = [track(), track({ properties: deep(3000) }), track()]
    const reply = await post('/v1/batch', { batch: [a, bad, b] })
    expect(reply.status).toBe(400)
    expect(reply.body).toMatchObject({ success: false, invalid: [{ index: 1 }] })
    expect(String((reply.body.error as { message: string }).message)).toMatch(
      /1 of 3 events .*batch\[1\]\.properties is nested deeper than 64 levels/
    )
    delivered.push(String(a.messageId), String(b.messageId))
    refused.push(String(bad.messageId))
  })

  it('/v1/batch: an unrepresentable timestamp with a sentAt is a 400 for that event alone', async () => {
    const good = track({ timestamp: new Date().toISOString() })
    const bad = track({ timestamp: '+275760-09-13T00:00:00.000Z' })
    const reply = await post('/v1/batch', { batch: [good, bad], sentAt: new Date().toISOString() })
    expect(reply.status).toBe(400)
    expect(reply.text).toMatch(/batch\[1\]\.timestamp .* is after 9999-12-31/)
    delivered.push(String(good.messageId))
    refused.push(String(bad.messageId))
  })

  it('/v1/batch: a wrong type in one event fails that event alone', async () => {
    const good = track()
    const bad = track({ userId: { nested: 1 } })
    const reply = await post('/v1/batch', { batch: [bad, good] })
    expect(reply.status).toBe(400)
    expect(reply.text).toMatch(/batch\[0\]\.userId must be string or number or null/)
    delivered.push(String(good.messageId))
    refused.push(String(bad.messageId))
  })

  it('/v1/track: a deep event, an oversized event: 400 naming the field', async () => {
    const reply = await post('/v1/track', track({ properties: deep(3000) }))
    expect(reply.status).toBe(400)
    expect(reply.body).toMatchObject({ error: { code: 'INVALID_EVENT' } })
    expect(reply.text).toMatch(/body\.properties is nested deeper than 64 levels/)
    const big = await post('/v1/track', track({ properties: { text: 'x'.repeat(600 * 1024) } }))
    expect(big.status).toBe(400)
    expect(big.text).toMatch(/body is larger than 524288 bytes of JSON/)
  })

  it('/events: a deep single event is a 400; in an array it fails alone and the rest are delivered', async () => {
    const single = await post('/events', track({ properties: deep(3000) }))
    expect(single.status).toBe(400)
    expect(single.text).toMatch(/body\.properties is nested deeper/)
    const [a, bad] = [track(), track({ properties: deep(3000) })]
    const reply = await post('/events', [a, bad])
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({ summary: { sent: 1, failed: 1 } })
    expect(reply.text).toMatch(/body\[1\]\.properties is nested deeper/)
    delivered.push(String(a.messageId))
    refused.push(String(bad.messageId))
  })

  it('/send: a deep payload in an array fails alone', async () => {
    const good = track()
    const reply = await post(
      '/send',
      {
        payload: [good, track({ properties: deep(3000) })],
        mapping: { topic, key: { '@path': '$.messageId' }, payload: { '@path': '$.' } }
      },
      bearer(ADMIN_TOKEN)
    )
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      ok: false,
      results: [{ ok: true }, { ok: false, status: 400, code: 'INVALID_EVENT' }]
    })
    delivered.push(String(good.messageId))
  })

  it('malformed JSON, wrong types, an empty batch: 400 naming what is wrong', async () => {
    expect((await post('/v1/track', '{"type": "track",')).body).toMatchObject({ error: { code: 'INVALID_JSON' } })
    expect((await post('/v1/track', '[1,2]')).status).toBe(400)
    expect((await post('/v1/track', { event: 7, userId: 'u' })).text).toMatch(/event must be string/)
    expect((await post('/v1/batch', { batch: [] })).status).toBe(400)
    expect((await post('/v1/batch', { batch: 'x' })).text).toMatch(/batch must be array/)
  })
})

describe('timestamps', () => {
  it('1900-01-01 is a date: refused with the reason (a Kafka record cannot carry it), not as "not ISO 8601"', async () => {
    const reply = await post('/v1/track', track({ timestamp: '1900-01-01' }))
    expect(reply.status).toBe(400)
    expect(messageOf(reply)).toMatch(/body\.timestamp "1900-01-01" is before 1970-01-01/)
    expect(messageOf(reply)).not.toMatch(/not a date/)
  })

  it('an unparseable timestamp is a 400 naming it, not silently replaced', async () => {
    const reply = await post('/v1/track', track({ timestamp: 'yesterday' }))
    expect(reply.status).toBe(400)
    expect(messageOf(reply)).toMatch(/body\.timestamp "yesterday" is not a date/)
  })

  it('a client clock two hours fast without sentAt: answered 200 saying the timestamp was corrected, and in Kafka', async () => {
    const ahead = new Date(Date.now() + 2 * 3600_000).toISOString()
    const event = track({ timestamp: ahead })
    const reply = await post('/v1/track', event)
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      success: true,
      corrected: [expect.stringMatching(/body\.timestamp .* replaced by receivedAt/)]
    })
    delivered.push(String(event.messageId))
  })

  it('a far-past timestamp (historical import) is kept', async () => {
    const event = track({ timestamp: '1999-12-31T23:59:59.000Z' })
    expect((await post('/v1/track', event)).status).toBe(200)
    delivered.push(String(event.messageId))
  })
})

describe('auth refusals and method confusion', () => {
  it('no key, a wrong key, a key in the wrong place: 401 echoing nothing', async () => {
    expect((await post('/v1/track', track(), {})).status).toBe(401)
    expect((await post('/v1/track', track(), basic('wrong-key-0123456789'))).status).toBe(401)
    expect((await post('/v1/track', track(), bearer(WRITE_KEY))).status).toBe(401)
    expect((await post('/send', { payload: track() }, basic(WRITE_KEY))).status).toBe(401)
  })

  it('the wrong method: 405 with Allow', async () => {
    for (const [method, route] of [
      ['GET', '/v1/track'],
      ['PUT', '/health'],
      ['DELETE', '/v1/batch'],
      ['PATCH', '/events']
    ]) {
      const reply = await call(server.url, method, route, undefined, basic(WRITE_KEY))
      answers.push(reply.text)
      expect([method, reply.status]).toEqual([method, 405])
    }
  })
})

describe('writeKey never stored', () => {
  it('/events and /v1/track with writeKey in the body: delivered without it', async () => {
    const a: Record<string, unknown> = { ...track(), writeKey: WRITE_KEY }
    const b: Record<string, unknown> = { ...track(), writeKey: WRITE_KEY }
    expect((await post('/events', a, {})).status).toBe(200)
    expect((await post('/v1/track', b, {})).status).toBe(200)
    delivered.push(String(a.messageId), String(b.messageId))
  })
})

describe('concurrency', () => {
  it('30 batches of 10 at once: every event answered 200', async () => {
    const batches = Array.from({ length: 30 }, () => Array.from({ length: 10 }, () => track()))
    const replies = await Promise.all(batches.map((batch) => post('/v1/batch', { batch })))
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200))
    for (const batch of batches) delivered.push(...batch.map((e) => String(e.messageId)))
  })
})

describe('Kafka holds every event answered 200, and none refused', () => {
  it('reads the topic back with kcat', async () => {
    const records = await readUntil(topic, (r) => r.length >= delivered.length)
    const keys = new Set(records.map((r) => r.key))
    expect(delivered.filter((id) => !keys.has(id))).toEqual([])
    expect(refused.filter((id) => keys.has(id))).toEqual([])
    for (const r of records) expect(r.value).not.toContain(WRITE_KEY)
  })
})

describe('slow and idle clients, and the connection cap (small limits)', () => {
  let small: RunningServer
  beforeAll(async () => {
    const limits = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 500, maxConnections: 8 }
    small = await startServer({ port: 0, config: gatewayConfig(topic, securedServer(limits)) })
  })
  afterAll(() => small?.close())
  afterEach(async () => {
    await stillServing(small.url)
  })

  it('headers trickled a byte at a time: 408 once server.headersTimeoutMs is up, connection closed', async () => {
    const bytes = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200)
    const reply = await raw(small.url, bytes.split(''), { gapMs: 100 })
    expect(reply.closed).toBe(true)
    expect(reply.status === 408 || reply.status === 0).toBe(true)
  })

  it('a body trickled slower than server.requestTimeoutMs allows: 408, connection closed', async () => {
    const head = `POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n${Object.entries(basic(WRITE_KEY)).map(([k, v]) => `${k}: ${v}`)}\r\n\r\n`
    const reply = await raw(small.url, [head, ...'{"type":"track","event":"x","userId":"u"'.split('')], { gapMs: 150 })
    expect(reply.closed).toBe(true)
    expect(reply.status === 408 || reply.status === 0).toBe(true)
  })

  it('a connection that sends nothing is closed', async () => {
    const reply = await raw(small.url, [], { timeoutMs: 10000 })
    expect(reply.closed).toBe(true)
    expect(reply.status === 408 || reply.status === 0).toBe(true)
  })

  it('an idle keep-alive connection is closed after server.keepAliveTimeoutMs', async () => {
    const reply = await raw(small.url, ['GET /health HTTP/1.1\r\nHost: x\r\n\r\n'], { settleMs: 5000 })
    expect(reply.status).toBe(200)
    expect(reply.closed).toBe(true)
  })
})

describe('the connection cap', () => {
  let capped: RunningServer
  beforeAll(async () => {
    capped = await startServer({ port: 0, config: gatewayConfig(topic, securedServer({ maxConnections: 8 })) })
  })
  afterAll(() => capped?.close())

  it('connections beyond server.maxConnections are closed at once; served again once others close', async () => {
    const { hostname, port } = new URL(capped.url)
    const held = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(Number(port), hostname, () => resolve(s))
            s.on('error', reject)
          })
      )
    )
    try {
      await until(async () => (await connections(capped)) >= 8)
      const refused = await raw(capped.url, ['GET /health HTTP/1.1\r\nHost: x\r\n\r\n'])
      expect(refused).toMatchObject({ status: 0, closed: true })
    } finally {
      for (const s of held) s.destroy()
    }
    await until(async () => (await connections(capped)) === 0)
    await stillServing(capped.url)
  })
})

function connections(s: RunningServer): Promise<number> {
  return new Promise((resolve) => s.server.getConnections((_e, count) => resolve(count)))
}
