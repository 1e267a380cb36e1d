/**
 * The local server end to end: every route over real HTTP, every record read back from the broker with
 * kcat, the config-file subscriptions, the bad-request cases, and `npm start`'s entry with its signals.
 */
import { execFile } from 'node:child_process'
import * as http from 'node:http'
import * as path from 'node:path'
import { randomUUID } from 'node:crypto'
import { defaultConfig, parseConfig, withBrokers } from '../../src/local/config-file'
import { startServer, type RunningServer } from '../../src/local/server'
import { broker, createTopic, readTopic, uniqueTopic, type ReadRecord } from '../helpers/kafka'
import { spawnServe, ROOT, type ServeProcess } from '../helpers/serve-process'
import { plaintextSettings } from '../helpers/settings'

// Child processes (tsx start-up) and read-backs take seconds; the project-level testTimeout is not applied
// when Jest runs one project's file directly.
jest.setTimeout(60000)

const settings = plaintextSettings()
/** The embedded default config, pointed at the test broker (its ports may be moved by KAFKA_*_PORT). */
const localDefaultConfig = () => withBrokers(defaultConfig(), broker().bootstrap.plaintext)

interface Reply {
  status: number
  body: Record<string, unknown>
  headers: http.IncomingHttpHeaders
}

/** Raw HTTP (not fetch) so that the tests control exactly the bytes sent. */
function request(base: string, method: string, route: string, body?: string | object): Promise<Reply> {
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${route}`, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {}, headers: res.headers })
      })
    })
    req.on('error', reject)
    req.end(data)
  })
}

async function readUntil(topic: string, count: number, timeoutMs = 15000): Promise<ReadRecord[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const records = await readTopic(topic).catch(() => [] as ReadRecord[])
    if (records.length >= count || Date.now() > deadline) return records
    await new Promise((r) => setTimeout(r, 300))
  }
}

const track = (userId: string, extra: object = {}): object => ({
  type: 'track',
  event: 'Order Completed',
  userId,
  messageId: randomUUID(),
  timestamp: '2024-05-01T12:00:00.000Z',
  properties: { total: 42 },
  ...extra
})

describe('the server with the embedded default config', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ port: 0, config: localDefaultConfig() })
  })
  afterAll(() => server.close())

  it('GET /manifest describes the settings, the send action and its fields', async () => {
    const { status, body } = await request(server.url, 'GET', '/manifest')
    expect(status).toBe(200)
    const manifest = body as { name: string; authentication: { fields: object }; actions: { send: { fields: object } } }
    expect(manifest.name).toBeTruthy()
    expect(Object.keys(manifest.authentication.fields)).toEqual(expect.arrayContaining(['brokers', 'mechanism']))
    expect(Object.keys(manifest.actions.send.fields)).toEqual(
      expect.arrayContaining(['topic', 'payload', 'key', 'headers', 'partition', 'timestamp', 'enable_batching'])
    )
  })

  it("POST /authenticate: ok with good settings (or an empty body: the config's), a clear error otherwise", async () => {
    expect((await request(server.url, 'POST', '/authenticate', settings)).body).toEqual({ ok: true })
    expect((await request(server.url, 'POST', '/authenticate')).body).toEqual({ ok: true })
    const bad = await request(server.url, 'POST', '/authenticate', { ...settings, brokers: '127.0.0.1:1' })
    expect(bad.status).toBe(200)
    expect(bad.body.ok).toBe(false)
    expect(String(bad.body.error)).toMatch(/127\.0\.0\.1:1/)
  })

  it('POST /events: a track event lands in segment-events keyed by userId, the whole event as value', async () => {
    const userId = `user-${randomUUID()}`
    const event = track(userId)
    const { status, body } = await request(server.url, 'POST', '/events', event)
    expect(status).toBe(200)
    expect(body).toMatchObject({ ok: true, status: 'sent', deliveries: [{ ok: true, status: 200 }] })
    const deadline = Date.now() + 15000
    let record: ReadRecord | undefined
    while (!record && Date.now() < deadline) record = (await readTopic('segment-events')).find((r) => r.key === userId)
    expect(record).toBeDefined()
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject(event)
  })

  it('POST /events: an alias event is not subscribed (and nothing is sent)', async () => {
    const { status, body } = await request(server.url, 'POST', '/events', {
      type: 'alias',
      userId: 'u',
      previousId: 'p'
    })
    expect(status).toBe(200)
    expect(body).toMatchObject({ ok: true, status: 'not subscribed', deliveries: [] })
  })
})

describe('the server with a config file', () => {
  let server: RunningServer
  let orders: string
  let identities: string
  beforeAll(async () => {
    orders = await createTopic(uniqueTopic('orders'))
    identities = await createTopic(uniqueTopic('identities'))
    const config = parseConfig({
      settings,
      subscriptions: [
        {
          name: 'orders',
          subscribe: 'type = "track" and event = "Order Completed"',
          mapping: {
            topic: orders,
            key: { '@path': '$.properties.orderId' },
            payload: { '@path': '$.properties' },
            headers: { source: 'server-test' }
          }
        },
        {
          name: 'identities',
          subscribe: 'type = "identify"',
          mapping: { topic: identities, key: { '@path': '$.userId' } }
        }
      ]
    })
    server = await startServer({ port: 0, config })
  })
  afterAll(() => server.close())

  it('one event: goes to its mapped topic with the mapped key, value and headers', async () => {
    const { status, body } = await request(
      server.url,
      'POST',
      '/events',
      track('u-1', { properties: { orderId: 'o-1', total: 10 } })
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({ ok: true, status: 'sent', deliveries: [{ subscription: 'orders', ok: true }] })
    const [record] = await readUntil(orders, 1)
    expect(record).toMatchObject({ key: 'o-1', headers: { source: 'server-test' } })
    expect(JSON.parse(record.value ?? '')).toEqual({ orderId: 'o-1', total: 10 })
  })

  it('an array: per-event results through the batch path, matched events to their topics, the rest not subscribed', async () => {
    const events = [
      track('u-2', { properties: { orderId: 'o-2' } }),
      { type: 'identify', userId: 'u-2', traits: { name: 'Ada' } },
      track('u-3', { event: 'Cart Viewed' }),
      { type: 'page', userId: 'u-3', name: 'Home' },
      track('u-4', { properties: { orderId: 'o-4' } })
    ]
    const { status, body } = await request(server.url, 'POST', '/events', events)
    expect(status).toBe(200)
    expect(body.summary).toMatchObject({ total: 5, sent: 3, failed: 0, notSubscribed: 2 })
    expect((body.results as { status: string }[]).map((r) => r.status)).toEqual([
      'sent',
      'sent',
      'not subscribed',
      'not subscribed',
      'sent'
    ])
    const orderRecords = await readUntil(orders, 3)
    expect(orderRecords.map((r) => r.key)).toEqual(expect.arrayContaining(['o-2', 'o-4']))
    const [identity] = await readUntil(identities, 1)
    expect(identity.key).toBe('u-2')
    expect(JSON.parse(identity.value ?? '')).toMatchObject({ type: 'identify', traits: { name: 'Ada' } })
  })

  it('an event failing the mapping is failed with 400 and names the field; the others of the batch still go', async () => {
    const failing = await createTopic(uniqueTopic('failing'))
    const config = parseConfig({
      settings,
      subscriptions: [{ subscribe: 'type = "track"', mapping: { topic: { '@path': '$.properties.topic' } } }]
    })
    const local = await startServer({ port: 0, config })
    try {
      const one = await request(local.url, 'POST', '/events', track('u', { properties: {} }))
      expect(one.status).toBe(400)
      expect(one.body).toMatchObject({ ok: false, status: 'failed', deliveries: [{ ok: false, status: 400 }] })
      expect(JSON.stringify(one.body)).toMatch(/topic/)
      const many = await request(local.url, 'POST', '/events', [
        track('u', { properties: { topic: failing } }),
        track('u', { properties: {} })
      ])
      expect(many.body.summary).toMatchObject({ sent: 1, failed: 1 })
      expect(await readUntil(failing, 1)).toHaveLength(1)
    } finally {
      await local.close()
    }
  })

  it('POST /send: one payload with an explicit mapping, read back with its key, headers and partition', async () => {
    const topic = await createTopic(uniqueTopic('send'), 3)
    const { status, body } = await request(server.url, 'POST', '/send', {
      settings,
      payload: { userId: 'u-9', event: 'Signed Up' },
      mapping: { topic, key: { '@path': '$.userId' }, payload: { '@path': '$.' }, headers: { h: 'v' }, partition: 2 }
    })
    expect(status).toBe(200)
    expect(body.ok).toBe(true)
    const [record] = await readUntil(topic, 1)
    expect(record).toMatchObject({ key: 'u-9', partition: 2, headers: { h: 'v' } })
    expect(JSON.parse(record.value ?? '')).toEqual({ userId: 'u-9', event: 'Signed Up' })
  })

  it('POST /send: an array is the batch path with one result per event', async () => {
    const topic = await createTopic(uniqueTopic('send-batch'))
    const { status, body } = await request(server.url, 'POST', '/send', {
      payload: [{ n: 1, t: topic }, { n: 2 }, { n: 3, t: topic }],
      mapping: { topic: { '@path': '$.t' }, payload: { '@path': '$.' } }
    })
    expect(status).toBe(200)
    const results = body.results as { ok: boolean; status: number }[]
    expect(results.map((r) => r.ok)).toEqual([true, false, true])
    expect(results[1].status).toBe(400)
    const records = await readUntil(topic, 2)
    expect(records.map((r) => JSON.parse(r.value ?? '').n).sort()).toEqual([1, 3])
  })

  it('POST /send: a missing required field is a 400 naming it', async () => {
    const { status, body } = await request(server.url, 'POST', '/send', { payload: { a: 1 }, mapping: { topic: '' } })
    expect(status).toBe(400)
    expect(JSON.stringify(body)).toMatch(/topic/)
  })

  it('POST /send/topic: the topic list, filtered by a typed query', async () => {
    const prefix = `q${randomUUID().slice(0, 6)}`
    const wanted = await createTopic(`${prefix}-wanted`)
    const { status, body } = await request(server.url, 'POST', '/send/topic', { settings, query: prefix })
    expect(status).toBe(200)
    const values = (body.choices as { value: string }[]).map((c) => c.value)
    expect(values).toEqual([wanted])
    const all = await request(server.url, 'POST', '/send/topic', { settings: { ...settings, clientId: 'list-all' } })
    expect((all.body.choices as { value: string }[]).map((c) => c.value)).toEqual(
      expect.arrayContaining([wanted, orders])
    )
  })

  it('POST /send/topic: a bad connection is an error in the response, not a crash', async () => {
    const { status, body } = await request(server.url, 'POST', '/send/topic', {
      settings: { ...settings, brokers: '127.0.0.1:1' }
    })
    expect(status).toBe(200)
    expect(body).toMatchObject({ choices: [], error: { message: expect.stringMatching(/127\.0\.0\.1:1/) } })
  })
})

describe('bad requests', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ port: 0, config: localDefaultConfig(), maxBodyBytes: 64 * 1024 })
  })
  afterAll(() => server.close())

  it.each([
    ['invalid JSON', 'POST', '/events', '{"type": "track",', 400, /not valid JSON/],
    ['an empty body', 'POST', '/events', '', 400, /needs a JSON body/],
    ['an event without type', 'POST', '/events', { userId: 'u' }, 400, /body\.type is required|type is required/],
    [
      'an array item without type',
      'POST',
      '/events',
      [{ type: 'track' }, { userId: 'u' }],
      400,
      /\[1\]\.type is required/
    ],
    ['a type that is not a string', 'POST', '/events', { type: 7 }, 400, /type must be string/],
    ['an empty array', 'POST', '/events', [], 400, /fewer than 1 items/],
    ['a string body', 'POST', '/events', '"track"', 400, /body must be object or array/],
    ['/send without payload', 'POST', '/send', { mapping: {} }, 400, /payload is required/],
    ['/send with a string payload', 'POST', '/send', { payload: 'x' }, 400, /payload must be object or array/],
    ['/send with a misspelt field', 'POST', '/send', { payload: {}, mapings: {} }, 400, /mapings is not a known field/],
    [
      '/send with settings that are not an object',
      'POST',
      '/send',
      { payload: {}, settings: 'x' },
      400,
      /settings must be object/
    ],
    ['/send/topic with a numeric query', 'POST', '/send/topic', { query: 5 }, 400, /query must be string/],
    ['/authenticate with an array', 'POST', '/authenticate', [], 400, /body must be object/],
    ['an unknown route', 'POST', '/nope', {}, 404, /no route POST \/nope/],
    ['GET on a POST route', 'GET', '/events', undefined, 405, /accepts POST/]
  ])('%s (%s %s) -> a 4xx with a clear message', async (_, method, route, body, status, message) => {
    const reply = await request(server.url, method, route, body as string | object | undefined)
    expect(reply.status).toBe(status)
    expect(reply.body).toMatchObject({ ok: false, error: { status } })
    expect(String((reply.body.error as { message: string }).message)).toMatch(message)
  })

  it('a body above the limit -> 413 (declared length and chunked)', async () => {
    const big = JSON.stringify({ type: 'track', properties: { blob: 'x'.repeat(100 * 1024) } })
    const declared = await request(server.url, 'POST', '/events', big)
    expect(declared.status).toBe(413)
    expect(declared.body).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/65536 bytes/) }
    })

    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${server.url}/events`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on('error', (e: NodeJS.ErrnoException) =>
        e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)
      )
      for (let i = 0; i < 10; i++) req.write('x'.repeat(16 * 1024))
      req.end()
    })
    expect(chunked).toBe(413)
  })

  it('is still serving after all of that', async () => {
    expect((await request(server.url, 'GET', '/manifest')).status).toBe(200)
  })
})

describe('npm start (scripts/serve.ts)', () => {
  let serve: ServeProcess | undefined
  // tsx runs the server in a child process of its own: the command runs in its own process group and
  // the group is killed.
  afterEach(() => serve?.killGroup())

  it('starts with no configuration, prints a curl example that works, and closes cleanly on SIGTERM', async () => {
    serve = spawnServe(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/serve.ts'])
    await serve.printed(/Ctrl\+C/, 45000)
    const stdout = serve.stdout()
    expect(stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
    expect(stdout).toContain(`broker:  ${broker().bootstrap.plaintext} (the project's broker, already running`)

    // Run the printed /events curl command as printed, with a unique userId so the record can be found.
    const curl =
      stdout
        .split('\n')
        .find((l) => l.trim().startsWith('curl') && l.includes('/events'))
        ?.trim() ?? ''
    const userId = `printed-${randomUUID()}`
    const output = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', curl.replace('user-42', userId)], (e, out) => (e ? reject(e) : resolve(out)))
    )
    expect(JSON.parse(output)).toMatchObject({ ok: true, status: 'sent' })
    const deadlineRead = Date.now() + 15000
    let found: ReadRecord | undefined
    while (!found && Date.now() < deadlineRead)
      found = (await readTopic('segment-events')).find((r) => r.key === userId)
    expect(found).toBeDefined()

    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    expect(serve.stderr()).toMatch(/SIGTERM: closing the server and the Kafka producers[\s\S]*closed/)
  })
})
