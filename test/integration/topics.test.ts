/** The topic list of the `topic` field and its cache, against the project's broker. */
import { createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import { brokerAddresses } from '../../src/brokers'
import type { Settings } from '../../src/settings-fields'
import { createTopicLister, topicChoices } from '../../src/topics'
import { broker, createTopic, uniqueTopic } from '../helpers/kafka'
import { listenersOf, plaintextSettings } from '../helpers/settings'

const b = broker()
let n = 0
/** A distinct client id per call gives a distinct connection key, so no cached listing is reused. */
const fresh = (extra: Partial<Settings> = {}): Settings =>
  plaintextSettings({ clientId: `topics-test-${n++}`, ...extra })

describe('dynamic topic list', () => {
  const prefix = uniqueTopic('list')
  let topics: string[]

  beforeAll(async () => {
    topics = [await createTopic(`${prefix}-b`), await createTopic(`${prefix}-a`), await createTopic(`${prefix}-C`)]
  })

  it('lists new topics, sorted, without internal ones', async () => {
    const { choices, error } = await topicChoices(fresh())
    expect(error).toBeUndefined()
    const names = choices.map((c) => c.value)
    expect(names).toEqual(expect.arrayContaining(topics))
    expect(names.filter((t) => t.startsWith('__'))).toEqual([])
    expect(names).toEqual([...names].sort((x, y) => x.localeCompare(y)))
    expect(choices.find((c) => c.value === topics[0])).toEqual({ label: topics[0], value: topics[0] })
  })

  it('leaves out internal topics (names starting with __)', async () => {
    const internal = await createTopic(`__${prefix}-internal`)
    const all = await createTopicLister().list({
      brokers: brokerAddresses(b.bootstrap.plaintext),
      clientId: 'x',
      mechanism: 'none',
      ssl: { enabled: false, rejectUnauthorized: true }
    })
    expect(all).toContain(`${prefix}-a`)
    expect(all).not.toContain(internal)
    expect(all.some((t) => t.startsWith('__'))).toBe(false)
  })

  it('filters by the typed query, case-insensitively', async () => {
    const { choices } = await topicChoices(fresh(), `${prefix}-c`.toUpperCase())
    expect(choices.map((c) => c.value)).toEqual([`${prefix}-C`])
  })

  it('through the destination, with the query passed as the runtime passes it', async () => {
    const integration = createTestIntegration(destination)
    const response = await integration.testDynamicField('send', 'topic', {
      settings: fresh(),
      payload: {},
      dynamicFieldContext: { query: prefix }
    })
    // executeDynamicField drops the query for a plain field (see the actions-core notes): all topics come back.
    expect((response as { choices: { value: string }[] }).choices.map((c) => c.value)).toEqual(
      expect.arrayContaining(topics)
    )
  })

  it('works over SASL_SSL with SCRAM', async () => {
    const { choices, error } = await topicChoices(
      fresh(listenersOf(b).saslSsl('scram-sha-512', { username: 'bob', password: 'bob-secret' })),
      prefix
    )
    expect(error).toBeUndefined()
    expect(choices).toHaveLength(3)
  })

  it('caches per connection settings for a short time, then sees new topics', async () => {
    // A clock of the test's own: however long the calls take on a loaded machine, only `now` moves it.
    let now = 1_000_000
    const lister = createTopicLister({ ttlMs: 1500, clock: { now: () => now } })
    const settings = fresh()
    const first = await topicChoices(settings, prefix, lister)
    const late = await createTopic(`${prefix}-late`)
    now += 1499
    const cached = await topicChoices(settings, prefix, lister)
    expect(cached).toEqual(first)
    now += 2
    const refreshed = await topicChoices(settings, prefix, lister)
    expect(refreshed.choices.map((c) => c.value)).toContain(late)
  })

  it('failure: { choices: [], error: { code, message } }, never a throw, never a secret', async () => {
    const SECRET = 'n0t-the-Password-99'
    const response = await topicChoices(fresh(listenersOf(b).sasl('plain', { password: SECRET })))
    expect(response.choices).toEqual([])
    expect(response.error).toEqual({
      code: 'KafkaJSSASLAuthenticationError',
      message: expect.stringContaining('as user "alice"')
    })
    expect(JSON.stringify(response)).not.toContain(SECRET)
  })

  it('failure for invalid settings and unreachable brokers', async () => {
    expect(await topicChoices({ brokers: '' } as Settings)).toEqual({
      choices: [],
      error: { code: 'INVALID_SETTINGS', message: expect.stringContaining('brokers is required') }
    })
    const unreachable = await topicChoices(fresh({ brokers: '127.0.0.1:1' }))
    expect(unreachable.error).toEqual({ code: 'ECONNREFUSED', message: expect.stringContaining('127.0.0.1:1') })
  })
})
