/**
 * Unknown topics on a cluster that does not create topics automatically: a second broker in its
 * own folder and ports, with auto.create.topics.enable=false (the shared broker auto-creates).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createTestEvent, createTestIntegration, IntegrationError } from '@segment/actions-core'
import definition from '../../src'
import { closeAllProducers } from '../../src/producer-pool'
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
