/** The idempotent delivery setting: off by default, a boolean (or its string), part of the pool key. */
import { connectionKey } from '../../src/connection-identity'
import { settingsDigest } from '../../src/send/settings-cache'
import { normaliseSettings } from '../../src/settings'
import { settingsFields, type Settings } from '../../src/settings-fields'

const base: Settings = { brokers: 'b1:9092', mechanism: 'none', ssl_enabled: false }

it('is off by default and shown as a boolean setting defaulting to false', () => {
  expect(normaliseSettings(base).idempotent).toBeUndefined()
  expect(settingsFields.idempotent).toMatchObject({ type: 'boolean', default: false })
})

it('accepts true, "true", false and "false"', () => {
  expect(normaliseSettings({ ...base, idempotent: true }).idempotent).toBe(true)
  expect(normaliseSettings({ ...base, idempotent: 'true' }).idempotent).toBe(true)
  expect(normaliseSettings({ ...base, idempotent: false }).idempotent).toBeUndefined()
  expect(normaliseSettings({ ...base, idempotent: 'false' }).idempotent).toBeUndefined()
})

it('anything else is a settings error naming the field', () => {
  expect(() => normaliseSettings({ ...base, idempotent: 'yes' })).toThrow(expect.objectContaining({ status: 400 }))
  expect(() => normaliseSettings({ ...base, idempotent: 'yes' })).toThrow(/idempotent must be true or false/)
})

it('an idempotent producer is another producer: its pool key and settings digest differ', () => {
  const on = normaliseSettings({ ...base, idempotent: true })
  expect(connectionKey(on)).not.toBe(connectionKey(normaliseSettings(base)))
  expect(settingsDigest({ ...base, idempotent: true })).not.toBe(settingsDigest(base))
})
