/**
 * Who may do what: the admin token guards the routes that take settings or reveal the cluster; settings in
 * request bodies only when the config allows them; the start rule beyond loopback; TLS; and no write key,
 * token or password in any answer, log line or metric.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Writable } from 'node:stream'
import { createLogger } from '../../src/local/logger'
import { startServer, type RunningServer } from '../../src/local/server'
import { CERT_EXTENSIONS, createCa, issueCertificate } from '../../scripts/broker/broker'
import {
  ADMIN_TOKEN,
  basic,
  bearer,
  call,
  gatewayConfig,
  OTHER_WRITE_KEY,
  plaintextSettings,
  readUntil,
  securedServer,
  WRITE_KEY
} from '../helpers/gateway'
import { broker, createTopic, uniqueTopic } from '../helpers/kafka'

jest.setTimeout(60000)

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-access-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Log lines captured in memory, as the server writes them. */
function memoryLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString())
      done()
    }
  })
  return { logger: createLogger(stream, 'debug'), text: () => chunks.join('') }
}

describe('the admin token and settings in requests', () => {
  let server: RunningServer
  let topic: string
  beforeAll(async () => {
    topic = await createTopic(uniqueTopic('gateway-access'))
    server = await startServer({ port: 0, config: gatewayConfig(topic, securedServer()) })
  })
  afterAll(() => server?.close())

  it.each([
    ['GET', '/manifest', undefined],
    ['POST', '/authenticate', undefined],
    ['POST', '/send', { payload: { a: 1 }, mapping: { topic: 'x' } }],
    ['POST', '/send/topic', {}]
  ])('%s %s: 401 without the admin token, and with a write key instead', async (method, route, body) => {
    for (const headers of [{}, basic(WRITE_KEY), bearer('not-the-admin-token-000000')]) {
      const reply = await call(server.url, method, route, body, headers)
      expect(reply.status).toBe(401)
      expect(reply.text).not.toContain(ADMIN_TOKEN)
    }
  })

  it("with the admin token the routes work with the config's settings", async () => {
    expect((await call(server.url, 'GET', '/manifest', undefined, bearer(ADMIN_TOKEN))).status).toBe(200)
    expect((await call(server.url, 'POST', '/authenticate', undefined, bearer(ADMIN_TOKEN))).body).toEqual({ ok: true })
    const sent = await call(
      server.url,
      'POST',
      '/send',
      { payload: { userId: 'admin-send' }, mapping: { topic, key: 'admin-send' } },
      bearer(ADMIN_TOKEN)
    )
    expect(sent).toMatchObject({ status: 200, body: { ok: true } })
    expect(await readUntil(topic, (rs) => rs.some((r) => r.key === 'admin-send'))).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'admin-send' })])
    )
  })

  it('settings in a request body are refused (403, naming the option) unless the config allows them', async () => {
    const attempts: [string, unknown][] = [
      ['/authenticate', { brokers: '10.1.2.3:9092' }],
      ['/send', { payload: { a: 1 }, settings: { brokers: '10.1.2.3:9092' }, mapping: { topic } }],
      ['/send/topic', { settings: { brokers: '10.1.2.3:9092' } }]
    ]
    for (const [route, body] of attempts) {
      const reply = await call(server.url, 'POST', route, body, bearer(ADMIN_TOKEN))
      expect(reply.status).toBe(403)
      expect(reply.body).toMatchObject({ error: { code: 'SETTINGS_NOT_ALLOWED' } })
      expect(String((reply.body.error as { message: string }).message)).toMatch(/server\.allowRequestSettings/)
    }
    // An unauthenticated client does not get as far as the settings.
    const anonymous = await call(server.url, 'POST', '/authenticate', { brokers: '10.1.2.3:9092' })
    expect(anonymous.status).toBe(401)
  })

  it('with server.allowRequestSettings the admin may post settings', async () => {
    const allowed = await startServer({
      port: 0,
      config: gatewayConfig(topic, securedServer({ allowRequestSettings: true }))
    })
    try {
      const reply = await call(allowed.url, 'POST', '/authenticate', plaintextSettings(), bearer(ADMIN_TOKEN))
      expect(reply.body).toEqual({ ok: true })
      expect((await call(allowed.url, 'POST', '/authenticate', plaintextSettings())).status).toBe(401)
    } finally {
      await allowed.close()
    }
  })
})

describe('where the server may listen', () => {
  it('refuses to start beyond loopback without write keys and an admin token, naming the options', async () => {
    const topic = 'unused'
    await expect(startServer({ port: 0, host: '0.0.0.0', config: gatewayConfig(topic) })).rejects.toThrow(
      /without server\.writeKeys and server\.adminToken/
    )
    const keysOnly = gatewayConfig(topic, { writeKeys: [{ name: 'web', key: WRITE_KEY }] })
    await expect(startServer({ port: 0, host: '0.0.0.0', config: keysOnly })).rejects.toThrow(
      /without server\.adminToken in the config file/
    )
  })

  it('starts beyond loopback with both, and stays as open as before on loopback with neither', async () => {
    const topic = await createTopic(uniqueTopic('gateway-bind'))
    const secured = await startServer({ port: 0, host: '0.0.0.0', config: gatewayConfig(topic, securedServer()) })
    try {
      const url = secured.url.replace('0.0.0.0', '127.0.0.1')
      expect((await call(url, 'POST', '/v1/track', { userId: 'u', event: 'E' })).status).toBe(401)
      expect((await call(url, 'POST', '/v1/track', { userId: 'u', event: 'E' }, basic(WRITE_KEY))).status).toBe(200)
    } finally {
      await secured.close()
    }
    const open = await startServer({ port: 0, config: gatewayConfig(topic) })
    try {
      expect((await call(open.url, 'POST', '/v1/track', { userId: 'u', event: 'E' })).status).toBe(200)
      expect((await call(open.url, 'POST', '/authenticate', plaintextSettings())).body).toEqual({ ok: true })
    } finally {
      await open.close()
    }
  })
})

describe('TLS', () => {
  it('serves HTTPS with the configured certificate and key', async () => {
    createCa(dir, 'gateway-ca', 'gateway-test-ca')
    issueCertificate(
      dir,
      'gateway',
      '/CN=localhost',
      CERT_EXTENSIONS.server('DNS:localhost,IP:127.0.0.1'),
      'gateway-ca'
    )
    const topic = await createTopic(uniqueTopic('gateway-tls'))
    const tls = { certFile: path.join(dir, 'gateway.crt'), keyFile: path.join(dir, 'gateway.key') }
    const server = await startServer({ port: 0, config: gatewayConfig(topic, securedServer({ tls })) })
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      const ca = fs.readFileSync(path.join(dir, 'gateway-ca.crt'))
      const reply = await call(server.url, 'POST', '/v1/track', { userId: 'tls', event: 'E' }, basic(WRITE_KEY), {
        ca
      })
      expect(reply).toMatchObject({ status: 200, body: { success: true } })
      // Without the CA the client refuses the certificate; plain HTTP gets no answer.
      await expect(call(server.url, 'GET', '/health')).rejects.toThrow(/self-signed|unable to verify|certificate/)
      await expect(call(server.url.replace('https:', 'http:'), 'GET', '/health')).rejects.toThrow()
    } finally {
      await server.close()
    }
  })

  it('a missing certificate file fails the start, naming the option', async () => {
    const tls = { certFile: path.join(dir, 'missing.crt'), keyFile: path.join(dir, 'missing.key') }
    await expect(startServer({ port: 0, config: gatewayConfig('t', securedServer({ tls })) })).rejects.toThrow(
      /server\.tls\.certFile: cannot read/
    )
  })
})

describe('secrets', () => {
  it('no write key, admin token or password in answers, log lines or metrics', async () => {
    const topic = await createTopic(uniqueTopic('gateway-secrets'))
    const { logger, text } = memoryLogger()
    const password = 'alice-secret'
    const server = await startServer({
      port: 0,
      config: gatewayConfig(topic, securedServer({ allowRequestSettings: true })),
      logger
    })
    const answers: string[] = []
    const saslSettings = {
      brokers: broker().bootstrap.sasl,
      mechanism: 'plain',
      username: 'alice',
      password,
      ssl_enabled: false
    }
    try {
      const requests: [string, string, unknown, Record<string, string>][] = [
        ['POST', '/v1/track', { userId: 'u', event: 'E' }, basic(WRITE_KEY)],
        ['POST', '/v1/batch', { writeKey: OTHER_WRITE_KEY, batch: [{ type: 'track', userId: 'u', event: 'E' }] }, {}],
        ['POST', '/v1/track', { userId: 'u', event: 'E', writeKey: `${WRITE_KEY}x` }, {}],
        ['POST', '/v1/track', { userId: 'u', event: 'E' }, basic(`${OTHER_WRITE_KEY}-wrong`)],
        ['POST', '/v1/track', { userId: 'u' }, basic(WRITE_KEY)],
        ['POST', '/authenticate', saslSettings, bearer(ADMIN_TOKEN)],
        ['POST', '/authenticate', { ...saslSettings, password: `${password}-wrong` }, bearer(ADMIN_TOKEN)],
        ['POST', '/send', { payload: { a: 1 }, settings: saslSettings, mapping: { topic } }, bearer(ADMIN_TOKEN)],
        ['POST', '/send/topic', { settings: saslSettings }, bearer(`${ADMIN_TOKEN}-wrong`)],
        ['GET', '/manifest', undefined, bearer(ADMIN_TOKEN)]
      ]
      for (const [method, route, body, headers] of requests)
        answers.push((await call(server.url, method, route, body, headers)).text)
      const metrics = (await call(server.url, 'GET', '/metrics')).text
      const logs = text()
      const lines = logs.split('\n').filter((l) => l.includes('"msg":"request"') && !l.includes('/metrics'))
      expect(lines).toHaveLength(requests.length)
      expect(lines[0]).toMatch(/"caller":"web"/)
      expect(lines[1]).toMatch(/"caller":"backend"/)
      expect(metrics).toMatch(/kafka_gateway_events_received_total\{write_key="web",route="\/v1\/track"\} 1/)
      expect(metrics).toMatch(/write_key="backend"/)
      for (const secret of [WRITE_KEY, OTHER_WRITE_KEY, ADMIN_TOKEN, password]) {
        expect(logs).not.toContain(secret)
        expect(metrics).not.toContain(secret)
        for (const a of answers) expect(a).not.toContain(secret)
      }
    } finally {
      await server.close()
    }
  })
})
