import { compileJsonSchema } from '../../../src/schema/json-schema'
import { EncodeError, encodingFailed } from '../../../src/schema/errors'

const compiled = compileJsonSchema(
  JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Order',
    type: 'object',
    properties: {
      id: { type: 'string' },
      total: { type: 'number', minimum: 0 },
      at: { type: 'string', format: 'date-time' },
      lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } },
      channel: { type: 'string', default: 'web' },
      status: { enum: ['NEW', 'PAID'] }
    },
    required: ['id']
  })
)

function message(value: unknown): string {
  try {
    compiled.encode(value)
  } catch (error) {
    if (error instanceof EncodeError) return encodingFailed('payload', error, compiled.label).message
    throw error
  }
  throw new Error('expected an EncodeError')
}

test('valid values are written as JSON with defaults filled in; the event is not changed', () => {
  const event = { id: 'o', total: 1 }
  expect(JSON.parse(Buffer.from(compiled.encode(event)).toString())).toEqual({ id: 'o', total: 1, channel: 'web' })
  expect(event).toEqual({ id: 'o', total: 1 })
  expect(compiled.recordName).toBe('Order')
})

test('violations name the path', () => {
  expect(message({})).toBe(
    'payload.id must be present (a required property), got nothing (missing) (JSON Schema Order).'
  )
  expect(message({ id: 'o', total: 'x' })).toContain('payload.total must be of type number, got "x"')
  expect(message({ id: 'o', total: -1 })).toContain(
    'payload.total must be valid against the schema (must be >= 0), got -1'
  )
  expect(message({ id: 'o', at: 'yesterday' })).toContain('payload.at must be text in the "date-time" format')
  expect(message({ id: 'o', lines: [{ sku: 'a' }, {}] })).toContain('payload.lines[1].sku must be present')
  expect(message({ id: 'o', status: 'X' })).toContain('payload.status must be one of "NEW", "PAID"')
})

test('a schema that does not compile is a 400 SCHEMA_INVALID', () => {
  expect(() => compileJsonSchema('{"type": 12}')).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }))
  expect(() => compileJsonSchema('not json')).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }))
})
