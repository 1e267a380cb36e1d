/**
 * Our encoders against the real registry, proven by Confluent's Python deserializers: records encoded
 * by SchemaSerializers (schemas from the registry), produced as raw bytes, read back and decoded by
 * scripts/registry/decode.py. Covers unions, logical types, nested records, enums, arrays, maps,
 * defaults, and Protobuf message indexes other than [0].
 */
import { randomUUID } from 'node:crypto'
import { RegistryClient } from '../../../src/schema/registry-client'
import { SchemaSerializers, type SchemaChoice } from '../../../src/schema/serializer'
import { createTopic, plainKafka } from '../../helpers/kafka'
import { decodeTopic, deleteCreatedSubjects, registerSchema, registry, trackSubject } from '../../helpers/registry'

afterAll(deleteCreatedSubjects)

let client: RegistryClient
let serializers: SchemaSerializers
beforeAll(() => {
  const info = registry()
  client = new RegistryClient({
    url: info.url,
    username: info.users.reader.username,
    password: info.users.reader.password
  })
  serializers = new SchemaSerializers(client)
})
afterAll(() => client.close())

async function produce(topic: string, records: { key: Buffer | string; value: Buffer }[]): Promise<void> {
  const producer = plainKafka('schema-roundtrip').producer()
  await producer.connect()
  try {
    await producer.send({ topic, messages: records })
  } finally {
    await producer.disconnect()
  }
}

const choice = (
  topic: string,
  part: 'key' | 'value',
  format: SchemaChoice['format'],
  extra: Partial<SchemaChoice> = {}
): SchemaChoice => ({
  topic,
  part,
  format,
  strategy: 'topic',
  ...extra
})

const ORDER_AVRO = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: 'double' },
    { name: 'quantity', type: 'int', default: 1 },
    { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'shipped_at', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }], default: null },
    { name: 'delivery_day', type: ['null', { type: 'int', logicalType: 'date' }], default: null },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'order_uuid', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'code', type: ['null', 'long', 'string'], default: null },
    {
      name: 'customer',
      type: {
        type: 'record',
        name: 'Customer',
        fields: [
          { name: 'email', type: 'string' },
          { name: 'vip', type: 'boolean', default: false },
          {
            name: 'address',
            type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] }],
            default: null
          }
        ]
      }
    },
    {
      name: 'items',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Item',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'count', type: 'int' }
          ]
        }
      }
    },
    { name: 'attributes', type: { type: 'map', values: 'string' }, default: {} }
  ]
}

test('Avro key and value: decoded by Confluent’s AvroDeserializer', async () => {
  const topic = await createTopic(`avro-${randomUUID().slice(0, 8)}`)
  const keyId = await registerSchema(`${topic}-key`, { type: 'string' })
  const valueId = await registerSchema(`${topic}-value`, ORDER_AVRO)
  const key = await serializers.get(choice(topic, 'key', 'avro'))
  const value = await serializers.get(choice(topic, 'value', 'avro'))
  expect([key.id, value.id]).toEqual([keyId, valueId])
  const event = {
    id: 'o-1001',
    total: 39.9,
    placed_at: '2024-05-01T10:20:30.123Z',
    shipped_at: '2024-05-02T08:00:00.123456Z',
    delivery_day: '2024-05-03',
    price: '1234.50',
    order_uuid: '6f1c2b1e-8a3b-4c7d-9e2f-0a1b2c3d4e5f',
    status: 'PAID',
    code: 42,
    customer: { email: 'a@example.com', address: { city: 'Lyon' } },
    items: [
      { sku: 'sku-1', count: 2 },
      { sku: 'sku-2', count: '3' }
    ],
    attributes: { channel: 'web' },
    ignored: 'extra properties of the event are left out'
  }
  const minimal = {
    ...event,
    shipped_at: null,
    delivery_day: undefined,
    code: 'A-7',
    customer: { email: 'b@example.com' },
    attributes: undefined
  }
  await produce(topic, [
    { key: key.encode('user-1', 'key'), value: value.encode(event, 'payload') },
    { key: key.encode('user-2', 'key'), value: value.encode(minimal, 'payload') }
  ])
  const [first, second] = await decodeTopic(topic, { key: 'avro', value: 'avro' })
  // The decoder reads from an offset, or only the last N records (npm run registry:decode -- --last N).
  const formats = { key: 'avro', value: 'avro' } as const
  expect((await decodeTopic(topic, formats, 60_000, ['--last', '1'])).map((r) => [r.offset, r.key])).toEqual([
    [1, 'user-2']
  ])
  expect((await decodeTopic(topic, formats, 60_000, ['--offset', '1'])).map((r) => r.key)).toEqual(['user-2'])
  expect(first).toMatchObject({ key: 'user-1', key_schema_id: keyId, value_schema_id: valueId })
  expect(first.value).toEqual({
    id: 'o-1001',
    total: 39.9,
    quantity: 1,
    placed_at: '2024-05-01T10:20:30.123000+00:00',
    shipped_at: '2024-05-02T08:00:00.123456+00:00',
    delivery_day: '2024-05-03',
    price: '1234.50',
    order_uuid: '6f1c2b1e-8a3b-4c7d-9e2f-0a1b2c3d4e5f',
    status: 'PAID',
    note: null,
    code: 42,
    customer: { email: 'a@example.com', vip: false, address: { city: 'Lyon' } },
    items: [
      { sku: 'sku-1', count: 2 },
      { sku: 'sku-2', count: 3 }
    ],
    attributes: { channel: 'web' }
  })
  expect(second.value).toMatchObject({
    shipped_at: null,
    delivery_day: null,
    code: 'A-7',
    customer: { email: 'b@example.com', vip: false, address: null },
    attributes: {}
  })
})

const ORDER_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: {
    id: { type: 'string' },
    total: { type: 'number', minimum: 0 },
    status: { type: 'string', enum: ['NEW', 'PAID'] },
    placed_at: { type: 'string', format: 'date-time' },
    channel: { type: 'string', default: 'web' },
    customer: {
      type: 'object',
      properties: { email: { type: 'string', format: 'email' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['email']
    },
    note: { type: ['string', 'null'] }
  },
  required: ['id', 'total', 'status']
}

test('JSON Schema key and value: decoded by Confluent’s JSONDeserializer', async () => {
  const topic = await createTopic(`json-${randomUUID().slice(0, 8)}`)
  const keyId = await registerSchema(
    `${topic}-key`,
    { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'] },
    'JSON'
  )
  const valueId = await registerSchema(`${topic}-value`, ORDER_JSON_SCHEMA, 'JSON')
  const key = await serializers.get(choice(topic, 'key', 'json-schema'))
  const value = await serializers.get(choice(topic, 'value', 'json-schema'))
  const event = {
    id: 'o-1',
    total: 12.5,
    status: 'PAID',
    placed_at: '2024-05-01T10:20:30Z',
    customer: { email: 'a@example.com', tags: ['x'] },
    note: null
  }
  await produce(topic, [{ key: key.encode({ userId: 'user-1' }, 'key'), value: value.encode(event, 'payload') }])
  const [record] = await decodeTopic(topic, { key: 'json-schema', value: 'json-schema' })
  expect(record).toMatchObject({ key: { userId: 'user-1' }, key_schema_id: keyId, value_schema_id: valueId })
  expect(record.value).toEqual({ ...event, channel: 'web' })
  // The event itself was not changed by filling in the default.
  expect(event).not.toHaveProperty('channel')
})

const PROTO = `syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";

message Audit {
  string actor = 1;
}

message Order {
  enum Status {
    STATUS_UNSPECIFIED = 0;
    NEW = 1;
    PAID = 2;
  }
  message Line {
    string sku = 1;
    int32 count = 2;
  }
  string id = 1;
  double total = 2;
  Status status = 3;
  google.protobuf.Timestamp placed_at = 4;
  repeated Line lines = 5;
  map<string, string> attributes = 6;
  int64 big_number = 7;
  optional string note = 8;
  oneof contact {
    string email = 9;
    string phone = 10;
  }
}
`

test('Protobuf key and value, with message indexes: decoded by Confluent’s ProtobufDeserializer', async () => {
  const topic = await createTopic(`proto-${randomUUID().slice(0, 8)}`)
  const valueId = await registerSchema(`${topic}-value`, PROTO, 'PROTOBUF')
  const keyId = await registerSchema(
    `${topic}-key`,
    'syntax = "proto3";\nmessage UserKey { string user_id = 1; }\n',
    'PROTOBUF'
  )
  const key = await serializers.get(choice(topic, 'key', 'protobuf'))
  const order = await serializers.get(choice(topic, 'value', 'protobuf', { message: 'Order' }))
  const line = await serializers.get(choice(topic, 'value', 'protobuf', { message: 'shop.v1.Order.Line' }))
  const audit = await serializers.get(choice(topic, 'value', 'protobuf'))
  const event = {
    id: 'o-1',
    total: 12.5,
    status: 'PAID',
    placed_at: '2024-05-01T10:20:30.123456789Z',
    lines: [{ sku: 'a', count: 2 }],
    attributes: { channel: 'web' },
    bigNumber: '9223372036854775807',
    email: 'a@example.com'
  }
  await produce(topic, [
    { key: key.encode({ user_id: 'user-1' }, 'key'), value: order.encode(event, 'payload') },
    { key: key.encode({ userId: 'user-2' }, 'key'), value: line.encode({ sku: 'b', count: 5 }, 'payload') },
    { key: key.encode({ user_id: 'user-3' }, 'key'), value: audit.encode({ actor: 'me' }, 'payload') }
  ])
  const records = await decodeTopic(topic, { key: 'protobuf', value: 'protobuf' })
  expect(records.map((r) => [r.value_message, r.value_message_indexes])).toEqual([
    ['shop.v1.Order', [1]],
    ['shop.v1.Order.Line', [1, 0]],
    ['shop.v1.Audit', [0]]
  ])
  expect(records.map((r) => r.key)).toEqual([{ user_id: 'user-1' }, { user_id: 'user-2' }, { user_id: 'user-3' }])
  expect(records[0]).toMatchObject({ key_schema_id: keyId, value_schema_id: valueId })
  expect(records[0].value).toEqual({
    id: 'o-1',
    total: 12.5,
    status: 'PAID',
    placed_at: '2024-05-01T10:20:30.123456789Z',
    lines: [{ sku: 'a', count: 2 }],
    attributes: { channel: 'web' },
    big_number: '9223372036854775807',
    email: 'a@example.com'
  })
  expect(records[1].value).toEqual({ sku: 'b', count: 5 })
  expect(records[2].value).toEqual({ actor: 'me' })
})

test('a schema text is registered on first use under the record strategy, then reused', async () => {
  const topic = await createTopic(`text-${randomUUID().slice(0, 8)}`)
  const info = registry()
  const producerClient = new RegistryClient({
    url: info.url,
    username: info.users.producer.username,
    password: info.users.producer.password
  })
  try {
    const schema = JSON.stringify({
      type: 'record',
      name: `Signup${randomUUID().slice(0, 8)}`,
      namespace: 'test',
      fields: [{ name: 'plan', type: 'string' }]
    })
    const own = new SchemaSerializers(producerClient)
    const [a, b] = await Promise.all([
      own.get(choice(topic, 'value', 'avro', { schema, strategy: 'topic-record' })),
      own.get(choice(topic, 'value', 'avro', { schema, strategy: 'topic-record' }))
    ])
    expect(a.id).toBe(b.id)
    expect(a.subject).toBe(`${topic}-test.${JSON.parse(schema).name}`)
    trackSubject(a.subject)
    await produce(topic, [{ key: 'k', value: a.encode({ plan: 'pro' }, 'payload') }])
    const [record] = await decodeTopic(topic, { value: 'avro' })
    expect(record).toMatchObject({ key: 'k', value: { plan: 'pro' }, value_schema_id: a.id })
  } finally {
    producerClient.close()
  }
})
