import * as protobuf from 'protobufjs'
import { compileProtobuf } from '../../../src/schema/protobuf'
import { EncodeError, encodingFailed } from '../../../src/schema/errors'

const PROTO = `syntax = "proto3";
package demo;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
message First { string a = 1; }
message Order {
  enum Status { UNKNOWN = 0; PAID = 1; }
  message Line { string sku = 1; uint32 count = 2; }
  string order_id = 1;
  Status status = 2;
  google.protobuf.Timestamp at = 3;
  repeated Line lines = 4;
  map<string, int64> totals = 5;
  google.protobuf.StringValue coupon = 6;
  google.protobuf.Struct extra = 7;
  bytes blob = 8;
  oneof contact { string email = 9; string phone = 10; }
}
`
const root = protobuf.parse(PROTO, { keepCase: true }).root
for (const file of ['timestamp', 'wrappers', 'struct'])
  root.addJSON(protobuf.common.get(`google/protobuf/${file}.proto`)?.nested ?? {})

function message(compiled: ReturnType<typeof compileProtobuf>, value: unknown): string {
  try {
    compiled.encode(value)
  } catch (error) {
    if (error instanceof EncodeError) return encodingFailed('payload', error, compiled.label).message
    throw error
  }
  throw new Error('expected an EncodeError')
}

test('the first message by default; a named one with its index path', () => {
  expect(compileProtobuf(PROTO)).toMatchObject({ recordName: 'demo.First', messageIndexes: [0] })
  expect(compileProtobuf(PROTO, [], 'Order')).toMatchObject({ recordName: 'demo.Order', messageIndexes: [1] })
  expect(compileProtobuf(PROTO, [], 'demo.Order.Line')).toMatchObject({ messageIndexes: [1, 0] })
  expect(() => compileProtobuf(PROTO, [], 'Nope')).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }))
})

test('JSON into the message: enums by name, ISO timestamps, snake or camel names, wrappers, Struct, 64-bit text', () => {
  const compiled = compileProtobuf(PROTO, [], 'Order')
  const bytes = compiled.encode({
    orderId: 'o-1',
    status: 'PAID',
    at: '2024-05-01T10:20:30.5Z',
    lines: [{ sku: 'a', count: 2 }],
    totals: { eur: '9007199254740993' },
    coupon: 'SPRING',
    extra: { a: [1, 'x', null], b: { c: true } },
    blob: 'AQI=',
    email: 'a@b.c',
    unknown: 'ignored'
  })
  const decoded = root.lookupType('demo.Order').toObject(root.lookupType('demo.Order').decode(bytes), {
    enums: String,
    longs: String
  })
  expect(decoded).toMatchObject({
    order_id: 'o-1',
    status: 'PAID',
    at: { seconds: String(Date.UTC(2024, 4, 1, 10, 20, 30) / 1000), nanos: 500_000_000 },
    lines: [{ sku: 'a', count: 2 }],
    totals: { eur: '9007199254740993' },
    coupon: { value: 'SPRING' },
    email: 'a@b.c'
  })
})

test('what does not fit names the path and the expected type', () => {
  const compiled = compileProtobuf(PROTO, [], 'Order')
  expect(message(compiled, { status: 'LOST' })).toContain(
    'payload.status must be one of "UNKNOWN", "PAID" (enum demo.Order.Status), got "LOST"'
  )
  expect(message(compiled, { lines: [{ count: -1 }] })).toContain(
    'payload.lines[0].count must be a whole number from 0 to 4294967295'
  )
  expect(message(compiled, { at: 'later' })).toContain('payload.at must be an ISO 8601 timestamp')
  expect(message(compiled, { totals: { x: 1.5 } })).toContain('payload.totals.x must be a 64-bit whole number')
  expect(message(compiled, { email: 'a', phone: 'b' })).toContain(
    'payload.phone must be set alone (it is in oneof contact with "email")'
  )
  expect(message(compiled, { blob: '***' })).toContain('payload.blob must be bytes as base64 text')
})

test('an unparsable schema or an unknown import is a 400 SCHEMA_INVALID', () => {
  expect(() => compileProtobuf('message {')).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }))
  expect(() => compileProtobuf('syntax = "proto3"; import "other.proto"; message A { string a = 1; }')).toThrow(
    expect.objectContaining({ code: 'SCHEMA_INVALID', message: expect.stringContaining('other.proto') })
  )
})

test('a referenced schema supplies an import', () => {
  const money = 'syntax = "proto3"; package m; message Money { int64 cents = 1; }'
  const compiled = compileProtobuf('syntax = "proto3"; import "money.proto"; message Sale { m.Money price = 1; }', [
    { name: 'money.proto', schema: money }
  ])
  expect(Buffer.from(compiled.encode({ price: { cents: 5 } }))).toEqual(Buffer.from([10, 2, 8, 5]))
})
