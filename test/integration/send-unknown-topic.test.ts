/**
 * Unknown topics on a cluster that does not create topics automatically: a second broker in its
 * own folder and ports, with auto.create.topics.enable=false (the shared broker auto-creates).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createTestEvent, createTestIntegration, Destination, IntegrationError } from '@segment/actions-core'
import { Kafka, logLevel } from 'kafkajs'
import definition from '../../src'
import { closeAllProducers } from '../../src/producers'
import { start, stop, type BrokerOptions } from '../../scripts/broker/broker'

const options: BrokerOptions = {
  dir: fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-no-autocreate-')),
  ports: { plaintext: 29292, sasl: 29293, ssl: 29294, saslSsl: 29295, controller: 29299, iam: 29296 },
  overrides: { 'auto.create.topics.enable': 'false' }
}

beforeAll(async () => {
  await start(options)
}, 120_000)

afterAll(async () => {
  await closeAllProducers()
  await stop(options)
  fs.rmSync(options.dir as string, { recursive: true, force: true })
}, 60_000)

it('an unknown topic is a non-retryable 4xx naming the topic, with the Kafka error name as code', async () => {
  const t = createTestIntegration(definition)
  const error = await t
    .testAction('send', {
      settings: { brokers: '127.0.0.1:29292', mechanism: 'none', ssl_enabled: false },
      event: createTestEvent({ userId: 'u' }),
      mapping: { topic: 'no-such-topic' },
      useDefaultMappings: true
    })
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(IntegrationError)
  expect(error).toMatchObject({ status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' })
  expect((error as Error).message).toMatch('"no-such-topic"')
}, 60_000)

it('an unknown topic in a batch fails only its own events; the other topics of the batch land', async () => {
  const settings = { brokers: '127.0.0.1:29292', mechanism: 'none', ssl_enabled: false }
  const kafka = new Kafka({ brokers: [settings.brokers], clientId: 'setup', logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic: 'known-a', numPartitions: 3 }, { topic: 'known-b' }],
    waitForLeaders: true
  })
  await admin.disconnect()

  const runtime = new Destination(definition as never)
  const topics = ['known-a', 'missing-topic', 'known-b', 'known-a', 'missing-topic', 'known-b']
  const events = topics.map((topic, i) => ({ type: 'track', event: topic, userId: `u${i}`, messageId: `m${i}` }))
  const subscription = {
    subscribe: 'type = "track"',
    partnerAction: 'send',
    mapping: { topic: { '@path': '$.event' }, payload: { '@path': '$.' }, key: { '@path': '$.userId' } }
  }
  const [result] = await runtime.onBatch(events as never, { ...settings, subscription } as never)
  const statuses = (result as unknown as { multistatus: { status: number; errortype?: string }[] }).multistatus
  expect(statuses.map((s) => s.status)).toEqual([200, 404, 200, 200, 404, 200])
}, 90_000)
