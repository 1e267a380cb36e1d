/**
 * JSON values into the scalar types of a schema, the way users expect them from JSON events: numbers
 * with range checks (numeric strings too, unless `strict`), ISO 8601 timestamps and dates into epoch
 * units, base64 text into bytes, decimals into their unscaled two's-complement bytes. Each failure is
 * an EncodeError saying what was expected. Shared by the Avro and Protobuf encoders.
 *
 * `strict` is used when picking a branch of a union: only the JSON type that naturally fits is
 * accepted, so `5` goes to an `int` branch rather than to a `string` one listed first.
 */
import { EncodeError } from './errors'

const INT32 = { min: -0x80000000, max: 0x7fffffff }
const UINT32 = { min: 0, max: 0xffffffff }
const FLOAT_MAX = 3.4028234663852886e38
const INTEGER_TEXT = /^-?\d+$/
const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/

/** A JSON object: not null, an array or bytes. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)
}

export function toBoolean(value: unknown, strict = false): boolean {
  if (typeof value === 'boolean') return value
  if (!strict && (value === 'true' || value === 'false')) return value === 'true'
  throw new EncodeError('a boolean', value)
}

export function toText(value: unknown, strict = false): string {
  if (typeof value === 'string') return value
  if (!strict && ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'))
    return String(value)
  throw new EncodeError('a string', value)
}

function numeric(value: unknown, strict: boolean): number | undefined {
  if (typeof value === 'number') return value
  if (!strict && typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value)
  return undefined
}

/** A 32-bit integer (`unsigned` for uint32/fixed32). */
export function toInt32(value: unknown, strict = false, unsigned = false): number {
  const range = unsigned ? UINT32 : INT32
  const n = numeric(value, strict)
  const expected = unsigned ? 'a whole number from 0 to 4294967295' : 'a 32-bit whole number (int)'
  if (n === undefined || !Number.isInteger(n)) throw new EncodeError(expected, value)
  if (n < range.min || n > range.max) throw new EncodeError(expected, value, [], 'out of range')
  return n
}

/** A 64-bit integer within JavaScript's safe range (what avsc's long accepts). */
export function toSafeLong(value: unknown, strict = false): number {
  const n = numeric(value, strict)
  const expected = 'a whole number (long)'
  if (n === undefined || !Number.isInteger(n)) throw new EncodeError(expected, value)
  if (!Number.isSafeInteger(n))
    throw new EncodeError(expected, value, [], 'beyond ±9007199254740991, the largest exact JSON number')
  return n
}

/**
 * A 64-bit integer for Protobuf: a number within the safe range, or decimal text of any 64-bit value
 * (protobufjs writes text through Long).
 */
export function toLong64(value: unknown, strict = false, unsigned = false): number | string {
  const expected = unsigned ? 'a whole number from 0 to 18446744073709551615' : 'a 64-bit whole number'
  if (typeof value === 'string' && !strict && INTEGER_TEXT.test(value.trim())) {
    const big = BigInt(value.trim())
    const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n]
    if (big < min || big > max) throw new EncodeError(expected, value, [], 'out of range')
    return value.trim()
  }
  const n = numeric(value, strict)
  if (n === undefined || !Number.isInteger(n)) throw new EncodeError(expected, value)
  if (!Number.isSafeInteger(n))
    throw new EncodeError(expected, value, [], 'beyond ±9007199254740991: send it as decimal text')
  if (unsigned && n < 0) throw new EncodeError(expected, value, [], 'out of range')
  return n
}

export function toFloat(value: unknown, strict = false): number {
  const n = numeric(value, strict)
  if (n === undefined || !Number.isFinite(n)) throw new EncodeError('a number (float)', value)
  if (Math.abs(n) > FLOAT_MAX) throw new EncodeError('a number (float)', value, [], 'out of the 32-bit float range')
  return n
}

export function toDouble(value: unknown, strict = false): number {
  const n = numeric(value, strict)
  if (n === undefined || !Number.isFinite(n)) throw new EncodeError('a number (double)', value)
  return n
}

const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/

/** Bytes: base64 text (standard or URL-safe), or an array of byte values. */
export function toBytes(value: unknown, strict = false): Buffer {
  if (typeof value === 'string' && BASE64.test(value)) return Buffer.from(value, 'base64')
  if (!strict && Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
    return Buffer.from(value as number[])
  throw new EncodeError('bytes as base64 text', value)
}

/** `2024-05-01T10:20:30.123456Z`, offsets, or a date alone; a time without a zone is taken as UTC. */
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * Microseconds since the epoch of an ISO 8601 timestamp, as a bigint-free pair: milliseconds and the
 * extra microseconds (0-999), so no precision is lost to doubles.
 */
function parseIso(text: string): { ms: number; micros: number } | undefined {
  const m = ISO.exec(text.trim())
  if (!m) return undefined
  const [, date, time, fraction = '', zone] = m
  const base = time
    ? `${date}T${time.length === 5 ? `${time}:00` : time}${zone ? normaliseZone(zone) : 'Z'}`
    : `${date}T00:00:00Z`
  const ms = Date.parse(base)
  if (!Number.isFinite(ms)) return undefined
  const digits = fraction.padEnd(6, '0')
  return { ms: ms + Number(digits.slice(0, 3)), micros: Number(digits.slice(3, 6)) }
}

const normaliseZone = (zone: string): string =>
  zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone

export type TimeUnit = 'millis' | 'micros'

/** A timestamp in `unit` since the epoch: ISO 8601 text, or a number already in that unit. */
export function toTimestamp(value: unknown, unit: TimeUnit, strict = false): number {
  const expected = `an ISO 8601 timestamp or a number of ${unit === 'millis' ? 'milliseconds' : 'microseconds'} since the epoch`
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new EncodeError(expected, value)
    return value
  }
  if (typeof value === 'string') {
    const parsed = parseIso(value)
    if (parsed) {
      const result = unit === 'millis' ? parsed.ms : parsed.ms * 1000 + parsed.micros
      if (Number.isSafeInteger(result)) return result
    } else if (!strict && INTEGER_TEXT.test(value)) {
      return toSafeLong(value)
    }
  }
  throw new EncodeError(expected, value)
}

/** Seconds and nanoseconds since the epoch (google.protobuf.Timestamp) from ISO 8601 text or milliseconds. */
export function toSecondsNanos(value: unknown): { seconds: number; nanos: number } {
  const expected = 'an ISO 8601 timestamp or a number of milliseconds since the epoch'
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    const seconds = Math.floor(value / 1000)
    return { seconds, nanos: (value - seconds * 1000) * 1_000_000 }
  }
  if (typeof value === 'string') {
    const parsed = parseIso(value)
    // The fraction adds less than a second to whole seconds, so flooring gives the whole seconds.
    if (parsed)
      return {
        seconds: Math.floor(parsed.ms / 1000),
        nanos: Number((ISO.exec(value.trim())?.[3] ?? '').padEnd(9, '0'))
      }
  }
  throw new EncodeError(expected, value)
}

const MS_PER_DAY = 86_400_000

/** Days since the epoch (Avro `date`): `YYYY-MM-DD`, an ISO timestamp (its UTC date), or a number of days. */
export function toDays(value: unknown, strict = false): number {
  const expected = 'a date (YYYY-MM-DD) or a number of days since the epoch'
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT32.max) return value
  if (typeof value === 'string') {
    const parsed = parseIso(value)
    if (parsed) return Math.floor(parsed.ms / MS_PER_DAY)
    if (!strict && INTEGER_TEXT.test(value)) return toInt32(value)
  }
  throw new EncodeError(expected, value)
}

const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/

/** Time of day (Avro `time-millis` / `time-micros`): `HH:MM[:SS[.fff]]`, or a number in that unit. */
export function toTimeOfDay(value: unknown, unit: TimeUnit): number {
  const expected = `a time of day (HH:MM:SS.sss) or a number of ${unit === 'millis' ? 'milliseconds' : 'microseconds'} since midnight`
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  const m = typeof value === 'string' ? TIME.exec(value.trim()) : null
  if (m) {
    const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]
    if (h < 24 && min < 60 && s < 60) {
      const micros = Number((m[4] ?? '').padEnd(6, '0').slice(0, 6))
      const total = ((h * 60 + min) * 60 + s) * 1_000_000 + micros
      return unit === 'millis' ? Math.floor(total / 1000) : total
    }
  }
  throw new EncodeError(expected, value)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function toUuid(value: unknown): string {
  if (typeof value === 'string' && UUID.test(value)) return value
  throw new EncodeError('a UUID (8-4-4-4-12 hex digits)', value)
}

const DECIMAL_TEXT = /^([-+])?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/

/**
 * A decimal's unscaled value as big-endian two's-complement bytes: from a number or decimal text,
 * with at most `scale` fraction digits and `precision` digits in all; `size` pads to a fixed length.
 */
export function toDecimalBytes(value: unknown, precision: number, scale: number, size?: number): Buffer {
  const expected = `a decimal with at most ${precision} digits, ${scale} after the point`
  const text =
    typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : typeof value === 'string'
        ? value.trim()
        : undefined
  const m = text === undefined ? null : DECIMAL_TEXT.exec(text)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new EncodeError(expected, value)
  const [, sign, whole, fraction = '', exponent = '0'] = m
  // Shift the point by the exponent, then to `scale` fraction digits.
  const all = whole + fraction
  let fractionDigits = fraction.length - Number(exponent)
  let digits = all.replace(/^0+(?=\d)/, '')
  if (fractionDigits > scale) {
    const dropped = digits.slice(digits.length - (fractionDigits - scale))
    if (/[1-9]/.test(dropped)) throw new EncodeError(expected, value, [], `more than ${scale} digits after the point`)
    digits = digits.slice(0, digits.length - (fractionDigits - scale))
    fractionDigits = scale
  }
  digits = digits + '0'.repeat(Math.max(0, scale - fractionDigits))
  let unscaled = BigInt(digits === '' ? '0' : digits)
  if (unscaled.toString().length > precision && unscaled !== 0n)
    throw new EncodeError(expected, value, [], `more than ${precision} digits`)
  if (sign === '-') unscaled = -unscaled
  const bytes = twosComplement(unscaled)
  if (size === undefined) return bytes
  if (bytes.length > size) throw new EncodeError(expected, value, [], `does not fit in ${size} bytes`)
  const padded = Buffer.alloc(size, unscaled < 0n ? 0xff : 0)
  bytes.copy(padded, size - bytes.length)
  return padded
}

function twosComplement(n: bigint): Buffer {
  const out: number[] = []
  let rest = n
  for (;;) {
    const byte = Number(rest & 0xffn)
    out.unshift(byte)
    rest >>= 8n
    if ((rest === 0n && (byte & 0x80) === 0) || (rest === -1n && (byte & 0x80) !== 0)) break
  }
  return Buffer.from(out)
}
