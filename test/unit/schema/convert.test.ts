import {
  toBytes,
  toDays,
  toDecimalBytes,
  toFloat,
  toInt32,
  toLong64,
  toSafeLong,
  toSecondsNanos,
  toText,
  toTimeOfDay,
  toTimestamp
} from '../../../src/schema/convert'
import { EncodeError } from '../../../src/schema/errors'

const fails = (fn: () => unknown): EncodeError => {
  try {
    fn()
  } catch (error) {
    if (error instanceof EncodeError) return error
    throw error
  }
  throw new Error('expected an EncodeError')
}

test('integers: range checks; numeric text accepted unless strict', () => {
  expect(toInt32(2147483647)).toBe(2147483647)
  expect(toInt32('42')).toBe(42)
  expect(fails(() => toInt32('42', true)).expected).toContain('32-bit')
  expect(fails(() => toInt32(2147483648)).reason).toBe('out of range')
  expect(fails(() => toInt32(1.5)).got).toBe(1.5)
  expect(fails(() => toInt32(-1, false, true)).expected).toContain('from 0')
  expect(toSafeLong(9007199254740991)).toBe(9007199254740991)
  expect(fails(() => toSafeLong(2 ** 60)).reason).toContain('9007199254740991')
  expect(toLong64('9223372036854775807')).toBe('9223372036854775807')
  expect(fails(() => toLong64('9223372036854775808')).reason).toBe('out of range')
  expect(toLong64('18446744073709551615', false, true)).toBe('18446744073709551615')
})

test('floats and text', () => {
  expect(toFloat('1.5')).toBe(1.5)
  expect(fails(() => toFloat(1e39)).reason).toContain('float')
  expect(fails(() => toFloat(Number.NaN)).expected).toContain('float')
  expect(toText(5)).toBe('5')
  expect(fails(() => toText(5, true)).expected).toBe('a string')
  expect(fails(() => toText({})).expected).toBe('a string')
})

test('timestamps: ISO text with zones, no zone = UTC, microseconds kept; numbers in the field unit', () => {
  expect(toTimestamp('2024-05-01T10:20:30.123Z', 'millis')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30, 123))
  expect(toTimestamp('2024-05-01T10:20:30.123', 'millis')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30, 123))
  expect(toTimestamp('2024-05-01T12:20:30+02:00', 'millis')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30))
  expect(toTimestamp('2024-05-01T10:20:30.123456Z', 'micros')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30, 123) * 1000 + 456)
  expect(toTimestamp(1714558830123, 'millis')).toBe(1714558830123)
  expect(fails(() => toTimestamp('yesterday', 'millis')).expected).toContain('ISO 8601')
  expect(toSecondsNanos('2024-05-01T10:20:30.123456789Z')).toEqual({
    seconds: Date.UTC(2024, 4, 1, 10, 20, 30) / 1000,
    nanos: 123456789
  })
  expect(toSecondsNanos(1500)).toEqual({ seconds: 1, nanos: 500_000_000 })
})

test('dates and times of day', () => {
  expect(toDays('1970-01-02')).toBe(1)
  expect(toDays('2024-05-01T23:59:59Z')).toBe(19844)
  expect(toDays('1969-12-31')).toBe(-1)
  expect(toTimeOfDay('01:00:00.5', 'millis')).toBe(3_600_500)
  expect(toTimeOfDay('00:00:01.000002', 'micros')).toBe(1_000_002)
  expect(fails(() => toTimeOfDay('25:00', 'millis')).expected).toContain('time of day')
})

test('bytes from base64 (standard or URL-safe) or byte arrays', () => {
  expect(toBytes('AQID')).toEqual(Buffer.from([1, 2, 3]))
  expect(toBytes('-_8')).toEqual(Buffer.from([0xfb, 0xff]))
  expect(toBytes([1, 255])).toEqual(Buffer.from([1, 255]))
  expect(fails(() => toBytes('not base64!')).expected).toContain('base64')
})

test('decimals: unscaled two’s complement, scale and precision checked', () => {
  expect(toDecimalBytes('12.34', 4, 2)).toEqual(Buffer.from([0x04, 0xd2]))
  expect(toDecimalBytes(-1, 4, 2)).toEqual(Buffer.from([0x9c]))
  expect(toDecimalBytes(-2, 4, 2)).toEqual(Buffer.from([0xff, 0x38]))
  expect(toDecimalBytes('1e2', 5, 2)).toEqual(Buffer.from([0x27, 0x10]))
  expect(toDecimalBytes('1.50', 3, 1)).toEqual(Buffer.from([0x0f]))
  expect(toDecimalBytes('128', 3, 0)).toEqual(Buffer.from([0x00, 0x80]))
  expect(toDecimalBytes('-1', 3, 0, 4)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]))
  expect(fails(() => toDecimalBytes('0.125', 5, 2)).reason).toContain('after the point')
  expect(fails(() => toDecimalBytes('123.45', 4, 2)).reason).toContain('4 digits')
  expect(fails(() => toDecimalBytes('abc', 4, 2)).expected).toContain('decimal')
})
