/**
 * The gateway against hostile and broken clients, as the real server (startServer) in front of the real
 * broker: malformed request lines over raw sockets, pathological paths, unexpected errors inside a route.
 * Every case ends with the same checks: no 5xx for a client's mistake, no secret in any answer, /health
 * still answers and /metrics parses; every event answered 200 is read back from Kafka with kcat.
 */
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
