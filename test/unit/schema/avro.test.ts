import * as avro from 'avsc'
import { compileAvro } from '../../../src/schema/avro'
import { EncodeError, encodingFailed } from '../../../src/schema/errors'

const SCHEMA = {
  type: 'record',
  name: 'Event',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'count', type: 'int', default: 1 },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'score', type: ['null', 'double'], default: null },
    { name: 'either', type: ['null', 'string', 'long'], default: null },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] }, default: 'A' },
    {
      name: 'items',
      type: { type: 'array', items: { type: 'record', name: 'Item', fields: [{ name: 'n', type: 'int' }] } },
      default: []
    },
    { name: 'tags', type: { type: 'map', values: 'long' }, default: {} },
    { name: 'next', type: ['null', 'Event'], default: null }
  ]
}
const compiled = compileAvro(JSON.stringify(SCHEMA))
const reader = avro.Type.forSchema(SCHEMA as avro.Schema, { wrapUnions: true })
const decode = (value: unknown): unknown => reader.fromBuffer(Buffer.from(compiled.encode(value)))

function message(value: unknown): string {
  try {
    compiled.encode(value)
  } catch (error) {
    if (error instanceof EncodeError) return encodingFailed('payload', error, compiled.label).message
    throw error
  }
  throw new Error('expected an EncodeError')
}

test('the record name and label', () => {
  expect(compiled.recordName).toBe('test.Event')
  expect(compiled.label).toBe('Avro test.Event')
})

test('defaults for missing fields, null for optional ones; extra properties are left out', () => {
  expect(decode({ id: 'x', at: 0, extra: true })).toEqual({
    id: 'x',
    count: 1,
    at: 0,
    score: null,
    either: null,
    kind: 'A',
    items: [],
    tags: {},
    next: null
  })
})

test('unions: the branch the value fits as it is first, then a conversion; Avro JSON form too', () => {
  expect(decode({ id: 'x', at: 0, either: 5 })).toMatchObject({ either: { long: 5 } })
  expect(decode({ id: 'x', at: 0, either: 'five' })).toMatchObject({ either: { string: 'five' } })
  expect(decode({ id: 'x', at: 0, either: true })).toMatchObject({ either: { string: 'true' } })
  expect(decode({ id: 'x', at: 0, either: { long: 7 } })).toMatchObject({ either: { long: 7 } })
  expect(decode({ id: 'x', at: 0, score: '1.5' })).toMatchObject({ score: { double: 1.5 } })
})

test('ISO timestamps, nested and recursive records, maps', () => {
  const value = decode({
    id: 'x',
    at: '2024-01-01T00:00:00.250Z',
    items: [{ n: 1 }, { n: '2' }],
    tags: { a: 1 },
    next: { id: 'y', at: 1 }
  }) as Record<string, unknown>
  expect(value.at).toBe(Date.UTC(2024, 0, 1) + 250)
  expect(value.items).toEqual([{ n: 1 }, { n: 2 }])
  expect(value.tags).toEqual({ a: 1 })
  expect((value.next as Record<string, Record<string, unknown>>)['test.Event'].id).toBe('y')
})

test('what does not fit: a 400 naming the field path and the expected type', () => {
  expect(message({ at: 0 })).toBe(
    'payload.id must be a string (a required field), got nothing (missing) (Avro test.Event).'
  )
  expect(message({ id: 'x', at: 'soon' })).toContain(
    'payload.at must be an ISO 8601 timestamp or a number of milliseconds'
  )
  expect(message({ id: 'x', at: 0, count: 2 ** 31 })).toContain(
    'payload.count must be a 32-bit whole number (int) (out of range), got 2147483648'
  )
  expect(message({ id: 'x', at: 0, kind: 'C' })).toContain(
    'payload.kind must be one of "A", "B" (enum test.Kind), got "C"'
  )
  expect(message({ id: 'x', at: 0, items: [{ n: 1 }, { n: 'two' }] })).toContain(
    'payload.items[1].n must be a 32-bit whole number'
  )
  expect(message({ id: 'x', at: 0, tags: { 'a b': 'x' } })).toContain(
    'payload.tags["a b"] must be a whole number (long), got "x"'
  )
  expect(message({ id: 'x', at: 0, either: {} })).toContain(
    'payload.either must be null or one of: a string, a long, got an object'
  )
  expect(message({ id: 'x', at: 0, next: { id: 1 } })).toContain(
    'payload.next.at must be a timestamp-millis (a required field)'
  )
  expect(message('text')).toContain('payload must be an object (record test.Event), got "text"')
})

test('a null where the type has no null takes the default', () => {
  expect(decode({ id: 'x', at: 0, count: null })).toMatchObject({ count: 1 })
})

test('decimal, uuid, date, fixed', () => {
  const schema = {
    type: 'record',
    name: 'L',
    fields: [
      { name: 'd', type: { type: 'fixed', name: 'D', size: 4, logicalType: 'decimal', precision: 6, scale: 2 } },
      { name: 'u', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'day', type: { type: 'int', logicalType: 'date' } },
      { name: 'f', type: { type: 'fixed', name: 'F', size: 2 } }
    ]
  }
  const c = compileAvro(JSON.stringify(schema))
  const r = avro.Type.forSchema(schema as avro.Schema)
  const out = r.fromBuffer(
    Buffer.from(c.encode({ d: '-1.5', u: '6f1c2b1e-8a3b-4c7d-9e2f-0a1b2c3d4e5f', day: '1970-01-11', f: 'AQI=' }))
  ) as Record<string, unknown>
  expect(out.d).toEqual(Buffer.from([0xff, 0xff, 0xff, 0x6a]))
  expect(out.day).toBe(10)
  expect(out.f).toEqual(Buffer.from([1, 2]))
  expect(() => c.encode({ d: 1, u: 'nope', day: 1, f: 'AQI=' })).toThrow(EncodeError)
})

test('a schema that does not parse is a 400 SCHEMA_INVALID', () => {
  expect(() => compileAvro('{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}')).toThrow(
    expect.objectContaining({ status: 400, code: 'SCHEMA_INVALID' })
  )
})

test('named types from referenced schemas', () => {
  const ref = JSON.stringify({
    type: 'record',
    name: 'Money',
    namespace: 'm',
    fields: [{ name: 'cents', type: 'long' }]
  })
  const c = compileAvro(
    JSON.stringify({ type: 'record', name: 'Sale', fields: [{ name: 'price', type: 'm.Money' }] }),
    [ref]
  )
  expect(c.encode({ price: { cents: 5 } })).toEqual(Buffer.from([10]))
})

test('framed encoding equals header + payload, also past the scratch buffer size', () => {
  const header = Buffer.from([0, 0, 0, 0, 7])
  const value = { id: 'x', at: 0, tags: { big: 1 } }
  expect(compiled.encodeFramed?.(header, value)).toEqual(Buffer.concat([header, Buffer.from(compiled.encode(value))]))
  const big = { id: 'y'.repeat(200_000), at: 0 }
  const framed = compiled.encodeFramed?.(header, big) as Buffer
  expect(framed.subarray(5)).toEqual(Buffer.from(compiled.encode(big)))
  expect(compiled.encodeFramed?.(header, value)).toEqual(Buffer.concat([header, Buffer.from(compiled.encode(value))]))
})
