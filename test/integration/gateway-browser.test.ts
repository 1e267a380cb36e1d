/**
 * What the gateway answers web pages, over raw HTTP: the settings route (known key, unknown key, public
 * URL, cache), preflights, CORS headers from `server.allowedOrigins`, other routes refusing other
 * origins, text/plain bodies on the browser routes only, and the rate limits (429 + Retry-After, counted
 * in /metrics by write-key name; no key in a label or log line).
 */
import { randomUUID } from 'node:crypto'
import { SETTINGS_MAX_AGE_SECONDS, UNKNOWN_KEY_TEXT } from '../../src/local/browser-routes'
import type { Logger } from '../../src/local/logger'
import { startServer, type RunningServer } from '../../src/local/server'
import {
  ADMIN_TOKEN,
  basic,
  bearer,
  call,
  gatewayConfig,
  readUntil,
  securedServer,
  values,
  WRITE_KEY
} from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'

jest.setTimeout(60000)

const SHOP = 'https://shop.example.com'
const lines: string[] = []
const logger = {
  info: (o: unknown) => lines.push(JSON.stringify(o)),
  warn: (o: unknown) => lines.push(JSON.stringify(o)),
  error: (o: unknown) => lines.push(JSON.stringify(o))
} as unknown as Logger

let topic: string
let server: RunningServer
beforeAll(async () => {
  topic = await createTopic(uniqueTopic('gateway-browser'))
  server = await startServer({
    port: 0,
    logger,
    config: gatewayConfig(
      topic,
      securedServer({
        allowedOrigins: [SHOP],
        rateLimits: { perClient: false, perWriteKey: false }
      })
    )
  })
})
afterAll(() => server?.close())

describe('GET /v1/projects/<writeKey>/settings', () => {
  it('for a known key: where to send (from the Host header), nothing of the config, cacheable a minute', async () => {
    const reply = await call(server.url, 'GET', `/v1/projects/${WRITE_KEY}/settings`, undefined, { origin: SHOP })
    expect(reply.status).toBe(200)
    expect(reply.headers['cache-control']).toBe(`public, max-age=${SETTINGS_MAX_AGE_SECONDS}`)
    expect(reply.headers['access-control-allow-origin']).toBe(SHOP)
    expect(reply.headers.vary).toBe('Origin')
    expect(reply.body.integrations).toEqual({
      'Segment.io': expect.objectContaining({
        apiKey: WRITE_KEY,
        apiHost: `127.0.0.1:${server.port}/v1`,
        protocol: 'http'
      })
    })
    expect(reply.body.metrics).toEqual({ sampleRate: 0 })
    for (const secret of [ADMIN_TOKEN, 'backend', topic, 'brokers', String(server.config.settings.brokers)]) {
      expect(reply.text).not.toContain(secret)
    }
  })

  it("for an unknown key: Segment's CDN answer (404, text), with CORS so that the SDK can read it", async () => {
    const reply = await call(server.url, 'GET', '/v1/projects/wk-unknown-123456/settings', undefined, { origin: SHOP })
    expect(reply.status).toBe(404)
    expect(reply.headers['content-type']).toMatch(/^text\/plain/)
    expect(reply.text).toBe(UNKNOWN_KEY_TEXT)
    expect(reply.headers['access-control-allow-origin']).toBe(SHOP)
    expect(reply.headers['cache-control']).toBe('no-store')
  })

  it('with server.publicUrl, apiHost and protocol are the public ones, whatever the Host header', async () => {
    const behind = await startServer({
      port: 0,
      config: gatewayConfig(topic, securedServer({ publicUrl: 'https://events.example.com/segment/' }))
    })
    try {
      const reply = await call(behind.url, 'GET', `/v1/projects/${WRITE_KEY}/settings`, undefined, {
        host: 'attacker.example'
      })
      const io = (reply.body.integrations as Record<string, Record<string, unknown>>)['Segment.io']
      expect(io).toMatchObject({ apiHost: 'events.example.com/segment/v1', protocol: 'https' })
    } finally {
      await behind.close()
    }
  })

  it('the key never reaches a log line or a metric label', async () => {
    const metrics = await call(server.url, 'GET', '/metrics')
    expect(metrics.text).toContain('route="/v1/projects/:writeKey/settings"')
    expect(metrics.text).not.toContain(WRITE_KEY)
    expect(lines.join('\n')).not.toContain(WRITE_KEY)
    expect(lines.join('\n')).toContain('/v1/projects/:writeKey/settings')
  })
})

describe('CORS', () => {
  it.each(['/v1/t', '/v1/track', '/v1/batch', '/v1/b', `/v1/projects/${WRITE_KEY}/settings`])(
    'OPTIONS %s from an allowed origin: 204 with methods, headers and max age',
    async (route) => {
      const reply = await call(server.url, 'OPTIONS', route, undefined, {
        origin: SHOP,
        'access-control-request-method': route.includes('settings') ? 'GET' : 'POST',
        'access-control-request-headers': 'authorization,content-type,x-retry-count'
      })
      expect(reply.status).toBe(204)
      expect(reply.headers).toMatchObject({
        'access-control-allow-origin': SHOP,
        'access-control-allow-headers': 'Authorization, Content-Type, X-Retry-Count',
        'access-control-max-age': '7200'
      })
      expect(reply.headers['access-control-allow-methods']).toMatch(/^(GET|POST), OPTIONS$/)
    }
  )

  it('a preflight or a post from an origin not allowed: 403 with no CORS header, and nothing lands', async () => {
    const preflight = await call(server.url, 'OPTIONS', '/v1/t', undefined, { origin: 'https://evil.example' })
    expect(preflight.status).toBe(403)
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control'))).toEqual([])
    const messageId = `m-${randomUUID()}`
    const post = await call(
      server.url,
      'POST',
      '/v1/t',
      JSON.stringify({ writeKey: WRITE_KEY, event: 'X', userId: 'u', messageId }),
      { origin: 'https://evil.example', 'content-type': 'text/plain' }
    )
    expect(post.status).toBe(403)
    expect(post.body.error).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' })
    expect(post.headers['access-control-allow-origin']).toBeUndefined()
  })

  it.each([
    ['GET', '/metrics'],
    ['GET', '/manifest'],
    ['POST', '/events'],
    ['GET', '/health']
  ])('%s %s never answers another origin, even one the tracking routes allow', async (method, route) => {
    const reply = await call(server.url, method, route, method === 'POST' ? {} : undefined, {
      origin: SHOP,
      ...bearer(ADMIN_TOKEN)
    })
    expect(reply.status).toBe(403)
    expect(reply.body.error).toMatchObject({ code: 'CROSS_ORIGIN_REFUSED' })
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('OPTIONS on a route that is not a browser route is not a preflight: 405', async () => {
    const reply = await call(server.url, 'OPTIONS', '/manifest', undefined, bearer(ADMIN_TOKEN))
    expect(reply.status).toBe(405)
  })
})

describe('bodies', () => {
  it('text/plain JSON on a short path lands, with the CORS answer', async () => {
    const messageId = `m-${randomUUID()}`
    const reply = await call(
      server.url,
      'POST',
      '/v1/i',
      JSON.stringify({ userId: 'u-text', traits: { a: 1 }, messageId }),
      { ...basic(WRITE_KEY), 'content-type': 'text/plain;charset=UTF-8', origin: SHOP }
    )
    expect(reply.status).toBe(200)
    expect(reply.headers['access-control-allow-origin']).toBe(SHOP)
    expect(reply.headers['access-control-expose-headers']).toBe('Retry-After')
    const records = await readUntil(topic, (rs) => rs.some((r) => r.key === messageId))
    expect(values(records.filter((r) => r.key === messageId))[0]).toMatchObject({ type: 'identify', userId: 'u-text' })
  })

  it('text/plain on any other route: 415', async () => {
    const reply = await call(server.url, 'POST', '/events', JSON.stringify({ type: 'track' }), {
      ...basic(WRITE_KEY),
      'content-type': 'text/plain'
    })
    expect(reply.status).toBe(415)
    expect(reply.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' })
  })
})

describe('rate limits', () => {
  it('per write key: 429 + Retry-After beyond the burst, counted by the key name', async () => {
    const limited = await startServer({
      port: 0,
      config: gatewayConfig(topic, securedServer({ rateLimits: { perWriteKey: { perSecond: 0.5, burst: 2 } } }))
    })
    try {
      const send = () =>
        call(limited.url, 'POST', '/v1/track', { userId: 'u-rl', event: 'E' }, basic(WRITE_KEY)).then((r) => r)
      const replies = [await send(), await send(), await send()]
      expect(replies.map((r) => r.status)).toEqual([200, 200, 429])
      expect(replies[2].headers['retry-after']).toBe('2')
      expect(replies[2].body.error).toMatchObject({ code: 'RATE_LIMITED' })
      const metrics = await call(limited.url, 'GET', '/metrics')
      expect(metrics.text).toContain('kafka_gateway_requests_rate_limited_total{limit="write_key",write_key="web"} 1')
      expect(metrics.text).not.toContain(WRITE_KEY)
    } finally {
      await limited.close()
    }
  })
})
