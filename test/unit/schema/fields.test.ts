import { choiceKey, partValues, schemaChoice, schemaFields } from '../../../src/schema/fields'

test('json value and text key use no schema', () => {
  expect(schemaChoice('t', 'value', {})).toBeUndefined()
  expect(schemaChoice('t', 'value', { format: 'json' })).toBeUndefined()
  expect(schemaChoice('t', 'key', { format: 'string' })).toBeUndefined()
})

test('defaults: topic strategy, latest version', () => {
  expect(schemaChoice('orders', 'value', { format: 'avro' })).toEqual({
    format: 'avro',
    part: 'value',
    topic: 'orders',
    strategy: 'topic'
  })
})

test('pinned version, subject, record name, schema text, message', () => {
  expect(
    schemaChoice('orders', 'key', {
      format: 'protobuf',
      subject_strategy: 'record',
      record_name: 'shop.Key',
      schema_version: '3',
      message: 'Key'
    })
  ).toMatchObject({ strategy: 'record', recordName: 'shop.Key', version: 3, message: 'Key' })
  expect(schemaChoice('o', 'value', { format: 'avro', schema_version: 2 })).toMatchObject({ version: 2 })
  expect(schemaChoice('o', 'value', { format: 'avro', schema_version: 'latest' })).not.toHaveProperty('version')
  expect(schemaChoice('o', 'value', { format: 'avro', subject: ' s ' })).toMatchObject({ subject: 's' })
})

test('what cannot be used is a 400 naming the field', () => {
  expect(() => schemaChoice('o', 'value', { format: 'xml' })).toThrow(
    expect.objectContaining({ status: 400, field: 'value_format', message: expect.stringContaining('"xml"') })
  )
  expect(() => schemaChoice('o', 'key', { format: 'avro', subject_strategy: 'nope' })).toThrow(
    expect.objectContaining({ field: 'key_subject_strategy' })
  )
  expect(() => schemaChoice('o', 'value', { format: 'avro', schema_version: 'v2' })).toThrow(
    expect.objectContaining({ field: 'value_schema_version' })
  )
  expect(() => schemaChoice('o', 'value', { format: 'avro', schema_version: '2', schema: '"string"' })).toThrow(
    expect.objectContaining({ field: 'value_schema_version' })
  )
  expect(() => schemaChoice('o', 'value', { format: 'avro', subject_strategy: 'record' })).toThrow(
    expect.objectContaining({ field: 'value_record_name' })
  )
})

test('fields: both parts, shown only with a schema format; values read by prefix; stable choice keys', () => {
  expect(Object.keys(schemaFields)).toEqual(
    expect.arrayContaining(['value_format', 'value_schema_version', 'key_format', 'key_subject', 'key_data'])
  )
  expect(schemaFields.value_schema.depends_on).toEqual({
    match: 'all',
    conditions: [{ fieldKey: 'value_format', operator: 'is_not', value: 'json' }]
  })
  expect(schemaFields.value_subject.dynamic).toBe(true)
  expect(partValues({ key_format: 'avro', value_format: 'json' }, 'key').format).toBe('avro')
  const a = schemaChoice('o', 'value', { format: 'avro' })
  const b = schemaChoice('o', 'value', { format: 'avro', schema_version: 'latest' })
  expect(a && b && choiceKey(a) === choiceKey(b)).toBe(true)
})
