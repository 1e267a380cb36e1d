/**
 * Segment's official SDKs, unmodified, pointed at the server: the Node SDK (@segment/analytics-node) and
 * the Python SDK (segment-analytics-python, in a venv) send every call type with a write key; every
 * event is read back from Kafka with kcat, completed as Segment's API completes it. Without a valid
 * write key nothing lands.
 */
import { randomUUID } from 'node:crypto'
import { Analytics } from '@segment/analytics-node'
import { startServer, type RunningServer } from '../../src/local/server'
import { gatewayConfig, OTHER_WRITE_KEY, readUntil, securedServer, values, WRITE_KEY } from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'
import { ensureVenv, runPython } from '../helpers/python-venv'

jest.setTimeout(180000)

let server: RunningServer
let topic: string
beforeAll(async () => {
  // The venv is created from PyPI on first use (up to a few minutes); later runs find it.
  await ensureVenv()
  topic = await createTopic(uniqueTopic('gateway-sdk'))
  server = await startServer({ port: 0, config: gatewayConfig(topic, securedServer()) })
})
afterAll(() => server?.close())

/** Sends one of every call type through the Node SDK; resolves with the messageIds and any errors. */
async function nodeSdk(writeKey: string, userId: string): Promise<{ ids: string[]; errors: string[] }> {
  const analytics = new Analytics({ writeKey, host: server.url, flushAt: 50, flushInterval: 60000, maxRetries: 1 })
  const ids: string[] = []
  const errors: string[] = []
  const done = (error: unknown, ctx?: { event: { messageId?: string } }): void => {
    if (error) errors.push(String((error as { reason?: unknown }).reason ?? error))
    if (ctx?.event.messageId) ids.push(ctx.event.messageId)
  }
  analytics.track({ userId, event: 'Order Completed', properties: { total: 42, currency: 'EUR' } }, done)
  analytics.identify({ userId, traits: { name: 'Ada', plan: 'pro' } }, done)
  analytics.page({ userId, name: 'Home', properties: { path: '/' } }, done)
  analytics.screen({ userId, name: 'Settings', properties: { tab: 'privacy' } }, done)
  analytics.group({ userId, groupId: 'group-1', traits: { seats: 5 } }, done)
  analytics.alias({ userId, previousId: `anon-${userId}` }, done)
  await analytics.closeAndFlush({ timeout: 60000 })
  return { ids, errors }
}

const PYTHON_SDK = `
import json, sys
import segment.analytics as analytics
cfg = json.loads(sys.argv[1])
analytics.write_key = cfg["writeKey"]
analytics.host = cfg["host"]
analytics.gzip = cfg["gzip"]
analytics.max_retries = 1
errors = []
analytics.on_error = lambda error, batch: errors.append(str(error))
u = cfg["userId"]
ids = []
for ok, msg in [
    analytics.track(u, "Order Completed", {"total": 42, "currency": "EUR"}),
    analytics.identify(u, {"name": "Ada", "plan": "pro"}),
    analytics.page(u, None, "Home", {"path": "/"}),
    analytics.screen(u, None, "Settings", {"tab": "privacy"}),
    analytics.group(u, "group-1", {"seats": 5}),
    analytics.alias("anon-" + u, u),
]:
    ids.append(msg["messageId"])
analytics.shutdown()
print(json.dumps({"ids": ids, "errors": errors}))
`

async function pythonSdk(writeKey: string, userId: string, gzip = false): Promise<{ ids: string[]; errors: string[] }> {
  const out = await runPython(PYTHON_SDK, { writeKey, host: server.url, userId, gzip })
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { ids: string[]; errors: string[] }
}

/** The records of `ids`, read back by key (the subscription keys by messageId). */
async function landed(ids: string[]): Promise<Record<string, Record<string, unknown>>> {
  const records = await readUntil(topic, (rs) => ids.every((id) => rs.some((r) => r.key === id)))
  const byId: Record<string, Record<string, unknown>> = {}
  values(records).forEach((v, i) => {
    if (ids.includes(records[i].key ?? '')) byId[records[i].key ?? ''] = v
  })
  return byId
}

function expectCompleted(event: Record<string, unknown>, library: string): void {
  expect(event.receivedAt).toEqual(expect.any(String))
  expect(event.sentAt).toEqual(expect.any(String))
  expect(event.timestamp).toEqual(expect.any(String))
  expect(event.originalTimestamp).toEqual(expect.any(String))
  expect((event.context as { library?: { name?: string } }).library?.name).toBe(library)
  expect(Number.isNaN(Date.parse(String(event.timestamp)))).toBe(false)
}

const EXPECTED = [
  { type: 'track', event: 'Order Completed', properties: { total: 42, currency: 'EUR' } },
  { type: 'identify', traits: { name: 'Ada', plan: 'pro' } },
  { type: 'page', name: 'Home', properties: { path: '/' } },
  { type: 'screen', name: 'Settings', properties: { tab: 'privacy' } },
  { type: 'group', groupId: 'group-1', traits: { seats: 5 } },
  { type: 'alias' }
]

describe.each([
  ['the Node SDK', '@segment/analytics-node', (key: string, user: string) => nodeSdk(key, user)],
  ['the Python SDK', 'analytics-python', (key: string, user: string) => pythonSdk(key, user)],
  ['the Python SDK with gzip', 'analytics-python', (key: string, user: string) => pythonSdk(key, user, true)]
])('%s', (_, library, sdk) => {
  it('sends every call type with a write key; each lands in Kafka, completed', async () => {
    const userId = `sdk-${randomUUID()}`
    const { ids, errors } = await sdk(WRITE_KEY, userId)
    expect(errors).toEqual([])
    expect(ids).toHaveLength(6)
    const byId = await landed(ids)
    ids.forEach((id, i) => {
      const event = byId[id]
      expect(event).toMatchObject({ ...EXPECTED[i], userId, messageId: id })
      expectCompleted(event, library)
    })
    expect(byId[ids[5]]).toMatchObject({ previousId: `anon-${userId}` })
  })

  it('is refused without a valid write key, and nothing lands', async () => {
    const userId = `refused-${randomUUID()}`
    const { ids, errors } = await sdk('wk-not-a-configured-key', userId)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.join(' ')).toMatch(/401/)
    // A valid batch sent afterwards lands: once it is there, the refused one would have been too.
    const after = await sdk(OTHER_WRITE_KEY, `after-${userId}`)
    await landed(after.ids)
    const records = await readUntil(topic, () => true)
    expect(records.filter((r) => ids.includes(r.key ?? ''))).toEqual([])
  })
})
