/**
 * The console in headless Chromium, page by page, as a user drives it with the admin token: refused
 * without it; the overview shows the running broker; a topic created is listed; a playground dry run of
 * a track event shows the partition Kafka then uses when it is sent for real (key, headers and value read
 * back with kcat); an Avro subscription's dry run shows the decoded record, a wrong event the field; the
 * tail shows a record sent meanwhile; a poisoned event is listed as a dead letter with its code, and after
 * the mapping is fixed in the config a replay delivers it once. No JavaScript error on any page; a
 * screenshot of each page goes to docs/console/.
 */
import * as path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { listGroups } from '../../src/kafka/cluster'
import { READER_GROUP_PREFIX } from '../../src/kafka/reader'
import type { ConfigFile } from '../../src/local/config-file'
import { startServer, type RunningServer } from '../../src/local/server'
import { normaliseSettings } from '../../src/settings'
import { launchBrowser, watchProblems, type PageProblems } from '../helpers/browser'
import { ADMIN_TOKEN, bearer, call, plaintextSettings, readUntil, securedServer } from '../helpers/gateway'
import { createTopic, deleteTopics, readTopic, uniqueTopic } from '../helpers/kafka'
import { deleteCreatedSubjects, registerSchema, registry } from '../helpers/registry'
import { until } from '../helpers/wait'

jest.setTimeout(30000)

const SHOTS = path.join(__dirname, '..', '..', 'docs', 'console')
const ORDER_AVRO = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'userId', type: 'string' },
    { name: 'total', type: 'double' }
  ]
}

let browser: Browser
let page: Page
let problems: PageProblems
let server: RunningServer
let topic: string
let avroTopic: string
let dlq: string
const created: string[] = []

function config(timestampPath = '$.properties.when'): ConfigFile {
  const r = registry()
  return {
    settings: {
      ...plaintextSettings(),
      schema_registry_url: r.url,
      schema_registry_username: r.users.reader.username,
      schema_registry_password: r.users.reader.password
    },
    subscriptions: [
      {
        name: 'tracks',
        subscribe: 'type = "track"',
        partnerAction: 'send',
        mapping: {
          topic,
          key: { '@path': '$.userId' },
          payload: { '@path': '$.' },
          headers: { 'x-event': { '@path': '$.event' } },
          timestamp: { '@path': timestampPath }
        }
      },
      {
        name: 'orders (Avro)',
        subscribe: 'type = "track" and event = "Order Completed"',
        partnerAction: 'send',
        mapping: {
          topic: avroTopic,
          key: { '@path': '$.userId' },
          payload: { userId: { '@path': '$.userId' }, total: { '@path': '$.properties.total' } },
          value_format: 'avro'
        }
      }
    ],
    server: securedServer({ deadLetter: { topic: dlq } })
  }
}

async function login(token = ADMIN_TOKEN): Promise<void> {
  await page.goto(`${server.url}/console`)
  await page.getByLabel('Admin token').fill(token)
  await page.getByLabel('Admin token').press('Enter')
}

const shot = (name: string): Promise<Buffer> => page.screenshot({ path: path.join(SHOTS, `${name}.png`) })

const event = (userId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Order Completed',
  userId,
  messageId: `m-${userId}`,
  properties: { total: 12.5, ...extra }
})

beforeAll(async () => {
  ;[browser, topic, avroTopic, dlq] = await Promise.all([
    launchBrowser(),
    createTopic(uniqueTopic('console-ui'), 3),
    createTopic(uniqueTopic('console-avro'), 2),
    createTopic(uniqueTopic('console-dlq'), 1)
  ])
  await registerSchema(`${avroTopic}-value`, ORDER_AVRO)
  server = await startServer({ port: 0, config: config() })
  page = await browser.newPage({ viewport: { width: 1100, height: 760 } })
  page.setDefaultTimeout(10000)
  problems = watchProblems(page)
}, 60000)

afterAll(async () => {
  await Promise.allSettled([server?.close(), deleteCreatedSubjects(), deleteTopics([...created, `${dlq}.replayed`])])
  await browser?.close()
})

afterEach(() => expect(problems).toEqual({ errors: [], consoleErrors: [] }))

it('refuses a wrong admin token, and logs in with the right one', async () => {
  await login('not-the-token-0000000000')
  await expect(page.getByRole('alert').textContent()).resolves.toContain('not the admin token')
  expect(await page.locator('#nav').isHidden()).toBe(true)
  problems.consoleErrors.length = 0 // the browser logs the refused request (401) itself
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  expect(page.url()).not.toContain(ADMIN_TOKEN)
})

it('overview: the running broker, the connection test', async () => {
  await page.locator('#cluster caption').waitFor()
  expect(await page.locator('#cluster caption').textContent()).toContain('Brokers answering: 1')
  const port = plaintextSettings().brokers.toString().split(':').pop() as string
  expect(await page.locator('#cluster').textContent()).toContain(port)
  expect(await page.locator('#connection-test').textContent()).toContain('the brokers answer')
  await shot('overview')
})

it('topics: create one with the keyboard, see it listed', async () => {
  const name = uniqueTopic('console-created')
  created.push(name)
  await page.getByRole('link', { name: 'Topics' }).click()
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Partitions').fill('4')
  await page.getByLabel('Partitions').press('Enter')
  await page.getByText(`Topic ${name} created.`).waitFor()
  expect(await page.locator('#topic-list tr', { hasText: name }).textContent()).toContain(`${name}41`)
  await shot('topics')
})

it('subscriptions: FQL and mappings, the registry password masked', async () => {
  await page.getByRole('link', { name: 'Subscriptions' }).click()
  await page.getByRole('heading', { name: 'orders (Avro)' }).waitFor()
  expect(await page.locator('#page').textContent()).not.toContain(registry().users.reader.password)
  expect(await page.locator('#page').textContent()).toContain('********')
  await shot('subscriptions')
})

it('playground: a dry run shows the partition, key, headers and value that the real send gives', async () => {
  await page.getByRole('link', { name: 'Playground' }).click()
  const sent = event('user-play-7')
  await page.getByLabel('Event (JSON)').fill(JSON.stringify(sent))
  await page.getByRole('button', { name: 'Dry run' }).click()
  const tracks = page.locator('#results [data-subscription="tracks"]')
  await tracks.locator('[data-field="partition"]').waitFor()
  const predicted = Number(
    /^(\d+) of 3$/.exec((await tracks.locator('[data-field="partition"]').textContent()) ?? '')?.[1]
  )
  expect(await tracks.locator('[data-field="key"]').textContent()).toContain('user-play-7')
  expect(await tracks.locator('[data-field="headers"]').textContent()).toContain('Order Completed')
  const avro = page.locator('#results [data-subscription="orders (Avro)"]')
  expect(await avro.locator('[data-field="value"]').textContent()).toMatch(/avro \(schema id \d+\)[\s\S]*"total": 12.5/)
  expect(await readTopic(topic)).toEqual([]) // nothing sent by the dry run
  await shot('playground')

  await page.getByRole('button', { name: 'Send for real' }).click()
  const line = await page.locator('#results .sent[data-subscription="tracks"] .ok').textContent()
  const [, partition, offset] = /partition (\d+), offset (\d+)/.exec(line ?? '') ?? []
  expect(Number(partition)).toBe(predicted)
  const records = await readUntil(topic, (r) => r.length > 0)
  expect(records).toEqual([
    expect.objectContaining({ partition: predicted, offset: Number(offset), key: 'user-play-7' })
  ])
  expect(records[0].headers).toEqual({ 'x-event': 'Order Completed' })
  expect(JSON.parse(records[0].value ?? '')).toEqual(sent)
})

it('playground: an event that does not fit the Avro schema names the field', async () => {
  await page.getByLabel('Event (JSON)').fill(JSON.stringify(event('user-bad', { total: 'lots' })))
  await page.getByRole('button', { name: 'Dry run' }).click()
  const avro = page.locator('#results [data-subscription="orders (Avro)"]')
  await avro.getByRole('alert').waitFor()
  expect(await avro.getByRole('alert').textContent()).toMatch(/SCHEMA_ENCODING_FAILED.*payload\.total must be a number/)
})

it('tail: shows a record sent meanwhile, and leaves no consumer group behind', async () => {
  await page.getByRole('link', { name: 'Tail' }).click()
  await page.getByLabel('Topic').selectOption(topic)
  await page.getByLabel('Last records per partition').fill('5')
  await page.getByRole('button', { name: 'Start' }).click()
  await page.getByText(`Tailing ${topic}`).waitFor()
  await page.locator('#tail-records tr', { hasText: 'user-play-7' }).waitFor() // the last records
  // The reader may join its group just after answering: send until the new record shows.
  await until(
    async () => {
      await call(server.url, 'POST', '/admin/send', { event: event('user-tail-1') }, bearer(ADMIN_TOKEN))
      return (await page.locator('#tail-records tr', { hasText: 'user-tail-1' }).count()) > 0
    },
    15000,
    500
  )
  expect(await page.locator('#tail-records tr', { hasText: 'user-tail-1' }).first().textContent()).toContain(
    'Order Completed'
  )
  await shot('tail')
  await page.getByRole('link', { name: 'Overview' }).click() // leaving the page stops the tail
  const c = normaliseSettings(plaintextSettings() as never)
  await until(async () => (await listGroups(c, READER_GROUP_PREFIX)).length === 0, 15000, 200)
  expect(await listGroups(c, READER_GROUP_PREFIX)).toEqual([])
})

it('dead letters: a poisoned event is listed with its code, replayed once after the mapping is fixed', async () => {
  const poisoned = { ...event('user-poison'), properties: { total: 3, when: 'not a date' } }
  const answer = await call(server.url, 'POST', '/admin/send', { event: poisoned }, bearer(ADMIN_TOKEN))
  expect(answer.body.ok).toBe(false)
  await page.getByRole('link', { name: 'Dead letters' }).click()
  await page.locator('#dl-list tbody tr').first().waitFor()
  expect(await page.locator('#dl-list tbody tr').count()).toBe(1)
  expect(await page.locator('#dl-list tbody').textContent()).toContain('timestamp must be')
  const code = await page.locator('#dl-list tbody td code').first().textContent()
  expect(code).toBeTruthy()
  await shot('dead-letters')

  // The mapping fixed in the config file, the gateway restarted with it (another port: log in again).
  await server.close()
  server = await startServer({ port: 0, config: config('$.timestamp') })
  await login()
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.getByRole('link', { name: 'Dead letters' }).click()
  await page.getByLabel('Error code').selectOption(code as string)
  await page.getByRole('button', { name: 'Replay all of this code' }).click()
  await page.getByText('Replayed: 1, already replayed: 0, failed: 0').waitFor()
  await page.getByRole('button', { name: 'Replay all of this code' }).click()
  await page.getByText('Replayed: 0, already replayed: 1, failed: 0').waitFor()
  const records = await readUntil(topic, (r) => r.some((x) => x.key === 'user-poison'))
  expect(records.filter((x) => x.key === 'user-poison')).toHaveLength(1)
  await shot('replay')
})
