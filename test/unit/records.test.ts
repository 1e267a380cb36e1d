import { PayloadValidationError } from '@segment/actions-core'
import { buildRecord, checkTopic, headerValue, recordTimestamp, RECORD_OVERHEAD_BYTES } from '../../src/records'

describe('buildRecord', () => {
  it('value is the JSON of payload, key as mapped, size counts the bytes', () => {
    const r = buildRecord({ payload: { a: 1, b: 'é' }, key: 'user-1' })
    expect(r.message.value.toString()).toBe('{"a":1,"b":"é"}')
    expect(r.message.key).toBe('user-1')
    expect(r.size).toBe(RECORD_OVERHEAD_BYTES + Buffer.byteLength('{"a":1,"b":"é"}') + 6)
    expect(r.message.partition).toBeUndefined()
    expect(r.message.partition).toBeUndefined()
  })

  it('the value is the JSON text (kafkajs writes it as UTF-8); the size counts its UTF-8 bytes, not characters', () => {
    const payload = { s: 'é€😀', n: null }
    const r = buildRecord({ payload })
    expect(typeof r.message.value).toBe('string')
    expect(r.message.value).toBe(JSON.stringify(payload))
    expect(r.size).toBe(RECORD_OVERHEAD_BYTES + Buffer.from(JSON.stringify(payload), 'utf8').length)
    expect(r.size - RECORD_OVERHEAD_BYTES).toBeGreaterThan(JSON.stringify(payload).length)
  })

  it('a missing payload is the JSON null', () => {
    expect(buildRecord({ payload: undefined }).message.value).toBe('null')
  })

  it('no key, or an empty one, leaves the record keyless', () => {
    expect(buildRecord({ payload: {} }).message.key).toBeUndefined()
    expect(buildRecord({ payload: {}, key: '' }).message.key).toBeUndefined()
    expect(buildRecord({ payload: {}, key: null }).message.key).toBeUndefined()
  })

  it('headers: strings as they are, numbers/booleans as text, objects/arrays as JSON, null/undefined dropped', () => {
    const r = buildRecord({
      payload: {},
      headers: { s: 'x', n: 42, f: 1.5, t: true, o: { a: [1] }, arr: [1, 'b'], nul: null, und: undefined, empty: '' }
    })
    expect(r.message.headers).toEqual({
      s: 'x',
      n: '42',
      f: '1.5',
      t: 'true',
      o: '{"a":[1]}',
      arr: '[1,"b"]',
      empty: ''
    })
  })

  it('headers that are all empty leave no headers at all', () => {
    expect(buildRecord({ payload: {}, headers: { a: null } }).message.headers).toBeUndefined()
  })

  it.each([
    [() => undefined, 'function'],
    [Symbol('s'), 'symbol']
  ])('a header value of an unsendable type is a 400 naming the header (%#)', (value, type) => {
    expect(() => buildRecord({ payload: {}, headers: { h: value } })).toThrow(PayloadValidationError)
    expect(() => buildRecord({ payload: {}, headers: { h: value } })).toThrow(`Header "h" has a value of type ${type}`)
  })

  it('headers that are not an object are a 400', () => {
    expect(() => buildRecord({ payload: {}, headers: ['a'] as unknown as Record<string, unknown> })).toThrow(
      /headers must be an object/
    )
  })

  it('partition wins over default_partition; either sets the message partition', () => {
    expect(buildRecord({ payload: {}, partition: 2, default_partition: 1 }).message.partition).toBe(2)
    expect(buildRecord({ payload: {}, default_partition: 1 }).message.partition).toBe(1)
    expect(buildRecord({ payload: {}, partition: 0 }).message.partition).toBe(0)
  })

  it.each([-1, 1.5, NaN, '3'])('partition %p is a 400 naming the field', (partition) => {
    expect(() => buildRecord({ payload: {}, partition: partition as number })).toThrow(
      /^partition must be a whole number/
    )
  })

  it('timestamp from ISO dates and epoch milliseconds', () => {
    expect(buildRecord({ payload: {}, timestamp: '2024-01-02T03:04:05.678Z' }).message.timestamp).toBe(
      String(Date.parse('2024-01-02T03:04:05.678Z'))
    )
    expect(recordTimestamp(1700000000000)).toBe('1700000000000')
    expect(recordTimestamp('1700000000000')).toBe('1700000000000')
    expect(recordTimestamp(undefined)).toBeUndefined()
    expect(recordTimestamp('')).toBeUndefined()
  })

  it('an unreadable timestamp is a 400 naming the field', () => {
    expect(() => buildRecord({ payload: {}, timestamp: 'yesterday' })).toThrow(/^timestamp must be an ISO 8601 date/)
  })

  it.each(['-5', '1/2/3', 'Tue, 01 Jan 2030', '2024-13', '2024-01-02T03'])(
    'a string V8 would guess a date from but that is not ISO 8601 is refused: %s',
    (value) => {
      expect(() => recordTimestamp(value)).toThrow(PayloadValidationError)
    }
  )

  it.each([
    ['2024-01-02', Date.UTC(2024, 0, 2)],
    ['2024-01-02T03:04:05Z', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02T03:04:05.678+01:00', Date.UTC(2024, 0, 2, 2, 4, 5, 678)],
    ['2024-01-02 03:04:05.678Z', Date.UTC(2024, 0, 2, 3, 4, 5, 678)]
  ])('ISO 8601 forms are read: %s', (value, ms) => {
    expect(recordTimestamp(value)).toBe(String(ms))
  })

  it.each([
    [undefined, 'topic is required.'],
    ['', 'topic is required.'],
    ['bad topic!', 'is not a valid Kafka topic name'],
    ['..', 'is not a valid Kafka topic name'],
    ['t'.repeat(250), 'is not a valid Kafka topic name'],
    ['tópico', 'is not a valid Kafka topic name']
  ])('topic %j is refused before any request: %s', (topic, message) => {
    expect(() => checkTopic(topic)).toThrow(message)
    expect(() => checkTopic(topic)).toThrow(expect.objectContaining({ field: 'topic', status: 400 }))
  })

  it('a legal topic name passes', () => {
    expect(() => checkTopic('orders.v1_eu-west')).not.toThrow()
    expect(() => checkTopic('t'.repeat(249))).not.toThrow()
  })

  it('header values', () => {
    expect(headerValue('h', 0)).toBe('0')
    expect(headerValue('h', false)).toBe('false')
    expect(headerValue('h', null)).toBeUndefined()
  })
})
