/** The idempotent delivery setting: on by default, a boolean (or its string), part of the pool key. */
import { connectionKey } from '../../src/connection-identity'
import { settingsDigest } from '../../src/send/settings-cache'
import { normaliseSettings } from '../../src/settings'
import { settingsFields, type Settings } from '../../src/settings-fields'

const base: Settings = { brokers: 'b1:9092', mechanism: 'none', ssl_enabled: false }

it('is on by default and shown as a boolean setting defaulting to true', () => {
  expect(normaliseSettings(base).idempotent).toBe(true)
  expect(settingsFields.idempotent).toMatchObject({ type: 'boolean', default: true })
})

it('accepts true, "true", false and "false"', () => {
  expect(normaliseSettings({ ...base, idempotent: true }).idempotent).toBe(true)
  expect(normaliseSettings({ ...base, idempotent: 'true' }).idempotent).toBe(true)
  expect(normaliseSettings({ ...base, idempotent: false }).idempotent).toBe(false)
  expect(normaliseSettings({ ...base, idempotent: 'false' }).idempotent).toBe(false)
})

it('anything else is a settings error naming the field', () => {
  expect(() => normaliseSettings({ ...base, idempotent: 'yes' })).toThrow(expect.objectContaining({ status: 400 }))
  expect(() => normaliseSettings({ ...base, idempotent: 'yes' })).toThrow(/idempotent must be true or false/)
})

it('turning idempotence off makes another producer: its pool key and settings digest differ; the default is on', () => {
  const off = normaliseSettings({ ...base, idempotent: false })
  expect(connectionKey(off)).not.toBe(connectionKey(normaliseSettings(base)))
  expect(connectionKey(normaliseSettings({ ...base, idempotent: true }))).toBe(connectionKey(normaliseSettings(base)))
  expect(settingsDigest({ ...base, idempotent: false })).not.toBe(settingsDigest(base))
})
