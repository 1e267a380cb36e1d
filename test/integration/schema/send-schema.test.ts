/**
 * The destination end to end with schema formats, as a runtime drives it: events mapped to Avro, JSON
 * Schema and Protobuf keys and values with the project's registry, sent to the project's broker, read
 * back and decoded by Confluent's Python deserializers. A bad event fails alone (400 naming the field);
 * the registry's password is in no error, log line or stats tag; the UI lists subjects and versions.
 */
import { randomUUID } from 'node:crypto'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import { closeAllProducers } from '../../../src'
import { subjectChoices } from '../../../src/schema/dynamic'
import { broker, createTopic } from '../../helpers/kafka'
import { decodeTopic, deleteCreatedSubjects, registerSchema, registry, trackSubject } from '../../helpers/registry'
import { capturingLogger, capturingStats, runtime, sendBatch, sendEvent, type StatCall } from '../../helpers/runtime'

afterAll(deleteCreatedSubjects)
afterAll(() => closeAllProducers())

function settings(user: 'producer' | 'reader' = 'reader', password?: string): JSONObject {
  const info = registry()
  return {
    brokers: broker().bootstrap.plaintext,
    mechanism: 'none',
    ssl_enabled: false,
    schema_registry_url: info.url,
    schema_registry_username: info.users[user].username,
    schema_registry_password: password ?? info.users[user].password
  }
}

function track(i: number, properties: Record<string, unknown>): SegmentEvent {
  return {
    type: 'track',
    event: 'Order Completed',
    userId: `user-${i}`,
    messageId: `m-${i}`,
    timestamp: `2024-05-01T10:00:0${i}.000Z`,
    properties
  } as SegmentEvent
}

const TRACK_AVRO = {
  type: 'record',
  name: 'OrderCompleted',
  namespace: 'segment',
  fields: [
    { name: 'event', type: 'string' },
    { name: 'userId', type: ['null', 'string'], default: null },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
    {
      name: 'properties',
      type: {
        type: 'record',
        name: 'Properties',
        fields: [
          { name: 'order_id', type: 'string' },
          { name: 'total', type: 'double' },
          { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] }, default: 'NEW' },
          { name: 'coupon', type: ['null', 'string'], default: null },
          {
            name: 'items',
            type: { type: 'array', items: { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }] } },
            default: []
          }
        ]
      }
    }
  ]
}

test('Avro batch: every good event lands, decoded by Confluent’s deserializer; a bad one fails alone naming the field', async () => {
  const topic = await createTopic(`send-avro-${randomUUID().slice(0, 8)}`)
  const valueId = await registerSchema(`${topic}-value`, TRACK_AVRO)
  const keyId = await registerSchema(`${topic}-key`, {
    type: 'record',
    name: 'UserKey',
    namespace: 'segment',
    fields: [{ name: 'userId', type: 'string' }]
  })
  const mapping = {
    topic,
    payload: { '@path': '$.' },
    value_format: 'avro',
    key_format: 'avro',
    key_data: { userId: { '@path': '$.userId' } }
  }
  const events = [
    track(1, { order_id: 'o-1', total: 10.5, status: 'PAID', items: [{ sku: 'a' }] }),
    track(2, { order_id: 'o-2', total: 'lots' }),
    track(3, { order_id: 'o-3', total: 7, coupon: 'SPRING' }),
    track(4, { order_id: 'o-4', total: 1, status: 'LOST' })
  ]
  const outcomes = await sendBatch(runtime(), settings(), mapping, events)
  expect(outcomes.map((o) => o.status)).toEqual([200, 400, 200, 400])
  expect(outcomes[1]).toMatchObject({
    code: 'SCHEMA_ENCODING_FAILED',
    message: expect.stringMatching(
      /^payload\.properties\.total must be a number \(double\), got "lots" \(Avro segment\.OrderCompleted, schema id \d+\)\.$/
    )
  })
  expect(outcomes[3].message).toContain('payload.properties.status must be one of "NEW", "PAID"')

  const records = await decodeTopic(topic, { key: 'avro', value: 'avro' })
  expect(records).toHaveLength(2)
  expect(records.map((r) => [r.key_schema_id, r.value_schema_id])).toEqual([
    [keyId, valueId],
    [keyId, valueId]
  ])
  expect(records[0]).toMatchObject({
    key: { userId: 'user-1' },
    value: {
      event: 'Order Completed',
      userId: 'user-1',
      timestamp: '2024-05-01T10:00:01+00:00',
      properties: { order_id: 'o-1', total: 10.5, status: 'PAID', coupon: null, items: [{ sku: 'a' }] }
    }
  })
  expect(records[1].value).toMatchObject({
    properties: { order_id: 'o-3', total: 7, status: 'NEW', coupon: 'SPRING', items: [] }
  })
})

test('JSON Schema value with a text key, one event at a time (onEvent)', async () => {
  const topic = await createTopic(`send-json-${randomUUID().slice(0, 8)}`)
  const id = await registerSchema(
    `${topic}-value`,
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Order',
      type: 'object',
      properties: { order_id: { type: 'string' }, total: { type: 'number' } },
      required: ['order_id', 'total']
    },
    'JSON'
  )
  const mapping = {
    topic,
    key: { '@path': '$.userId' },
    value_format: 'json-schema',
    payload: { '@path': '$.properties' }
  }
  const dest = runtime()
  expect(await sendEvent(dest, settings(), mapping, track(1, { order_id: 'o-1', total: 3 }))).toMatchObject({
    ok: true
  })
  expect(await sendEvent(dest, settings(), mapping, track(2, { order_id: 'o-2' }))).toMatchObject({
    ok: false,
    status: 400,
    message: expect.stringContaining('payload.total must be present (a required property)')
  })
  const records = await decodeTopic(topic, { key: 'string', value: 'json-schema' })
  expect(records).toEqual([
    expect.objectContaining({ key: 'user-1', value: { order_id: 'o-1', total: 3 }, value_schema_id: id })
  ])
})

test('Protobuf key and value from a schema text registered on first use (record strategy, pinned message)', async () => {
  const topic = await createTopic(`send-proto-${randomUUID().slice(0, 8)}`)
  const pkg = `p${randomUUID().slice(0, 8)}`
  const proto = `syntax = "proto3";
package ${pkg};
import "google/protobuf/timestamp.proto";
message Header { string source = 1; }
message Order {
  enum Status { STATUS_UNSPECIFIED = 0; NEW = 1; PAID = 2; }
  string order_id = 1;
  double total = 2;
  Status status = 3;
  google.protobuf.Timestamp at = 4;
}
`
  trackSubject(`${pkg}.Order`)
  trackSubject(`${topic}-key`)
  const mapping = {
    topic,
    value_format: 'protobuf',
    value_schema: proto,
    value_message: 'Order',
    value_subject_strategy: 'record',
    payload: {
      order_id: { '@path': '$.properties.order_id' },
      total: { '@path': '$.properties.total' },
      status: { '@path': '$.properties.status' },
      at: { '@path': '$.timestamp' }
    },
    key_format: 'protobuf',
    key_schema: 'syntax = "proto3";\nmessage Key { string user_id = 1; }\n',
    key_data: { user_id: { '@path': '$.userId' } }
  }
  const outcomes = await sendBatch(runtime(), settings('producer'), mapping, [
    track(1, { order_id: 'o-1', total: 2.5, status: 'PAID' }),
    track(2, { order_id: 'o-2', total: 1, status: 'GONE' })
  ])
  expect(outcomes.map((o) => o.status)).toEqual([200, 400])
  expect(outcomes[1].message).toContain('payload.status must be one of')
  const records = await decodeTopic(topic, { key: 'protobuf', value: 'protobuf' })
  expect(records).toEqual([
    expect.objectContaining({
      key: { user_id: 'user-1' },
      value: { order_id: 'o-1', total: 2.5, status: 'PAID', at: '2024-05-01T10:00:01Z' },
      value_message: `${pkg}.Order`,
      value_message_indexes: [1]
    })
  ])
})

test('registry errors: 401 with a wrong password, never showing it in errors, logs or stats tags', async () => {
  const topic = await createTopic(`send-auth-${randomUUID().slice(0, 8)}`)
  const secret = `pw-${randomUUID()}`
  const lines: string[] = []
  const stats: StatCall[] = []
  const options = { logger: capturingLogger(lines), statsContext: capturingStats(stats) }
  const mapping = { topic, payload: { '@path': '$.' }, value_format: 'avro' }
  const batch = await sendBatch(runtime(), settings('reader', secret), mapping, [track(1, {}), track(2, {})], options)
  const single = await sendEvent(runtime(), settings('reader', secret), mapping, track(3, {}), options)
  for (const outcome of [...batch, single]) {
    expect(outcome).toMatchObject({ ok: false, status: 401, code: 'SCHEMA_REGISTRY_AUTHENTICATION_FAILED' })
    expect(outcome.message).toContain(registry().url)
  }
  const everything = JSON.stringify({ batch, single: { ...single, error: String(single.error) }, lines, stats })
  // The capture did see the failures (logs or stats were written), without the secret.
  expect(lines.length + stats.length).toBeGreaterThan(0)
  expect(everything).not.toContain(secret)
})

test('unknown subject: 400 naming it; other topics of the batch are sent', async () => {
  const good = await createTopic(`send-good-${randomUUID().slice(0, 8)}`)
  const missing = `send-missing-${randomUUID().slice(0, 8)}`
  await registerSchema(`${good}-value`, { type: 'record', name: 'E', fields: [{ name: 'event', type: 'string' }] })
  const mapping = { topic: { '@path': '$.properties.topic' }, payload: { '@path': '$.' }, value_format: 'avro' }
  const outcomes = await sendBatch(runtime(), settings(), mapping, [
    track(1, { topic: good }),
    track(2, { topic: missing }),
    track(3, { topic: good })
  ])
  expect(outcomes.map((o) => o.status)).toEqual([200, 400, 200])
  expect(outcomes[1]).toMatchObject({
    code: 'SCHEMA_SUBJECT_NOT_FOUND',
    message: expect.stringContaining(`"${missing}-value"`)
  })
  expect(await decodeTopic(good, { value: 'avro' })).toHaveLength(2)
})

test('dynamic fields list the registry subjects and the versions of the mapped subject', async () => {
  const topic = `send-dyn-${randomUUID().slice(0, 8)}`
  await registerSchema(`${topic}-value`, { type: 'record', name: 'A', fields: [{ name: 'a', type: 'string' }] })
  await registerSchema(`${topic}-value`, {
    type: 'record',
    name: 'A',
    fields: [
      { name: 'a', type: 'string' },
      { name: 'b', type: ['null', 'string'], default: null }
    ]
  })
  const dest = runtime()
  // executeDynamicField drops the typed query for a plain field (see the actions-core notes): all subjects come back.
  const subjects = (await dest.executeDynamicField('send', 'value_subject', {
    settings: settings(),
    payload: {}
  } as never)) as { choices: { value: string }[] }
  expect(subjects.choices.map((c) => c.value)).toContain(`${topic}-value`)
  // The query filters when the runtime passes it.
  await expect(
    subjectChoices({ settings: settings(), dynamicFieldContext: { query: topic.toUpperCase() } })
  ).resolves.toEqual({
    choices: [{ label: `${topic}-value`, value: `${topic}-value` }]
  })
  const versions = await dest.executeDynamicField('send', 'value_schema_version', {
    settings: settings(),
    payload: { topic, value_format: 'avro' }
  } as never)
  expect(versions).toEqual({
    choices: [
      { label: `latest (of ${topic}-value)`, value: 'latest' },
      { label: '2', value: '2' },
      { label: '1', value: '1' }
    ]
  })
  const failed = await dest.executeDynamicField('send', 'value_subject', {
    settings: settings('reader', 'nope'),
    payload: {}
  } as never)
  expect(failed).toMatchObject({ choices: [], error: { code: 'SCHEMA_REGISTRY_AUTHENTICATION_FAILED' } })
})
