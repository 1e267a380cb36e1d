import { createHash } from 'node:crypto'
import { formatBroker } from '../../src/brokers'
import { SettingsError } from '../../src/errors'
import { SettingsCache, settingsDigest } from '../../src/send/settings-cache'
import type { Settings } from '../../src/settings-fields'

const base = (): Settings => ({
  brokers: 'b1:9092,b2:9092',
  mechanism: 'scram-sha-512',
  username: 'alice',
  password: 'alice-secret',
  ssl_enabled: true
})

describe('SettingsCache', () => {
  it('a fresh object with the same values hits the cache (actions-core builds one per call)', () => {
    const cache = new SettingsCache()
    const first = cache.resolve(base())
    expect(cache.resolve(base())).toBe(first)
    expect(cache.resolve({ ...base(), subscription: { x: 1 } } as unknown as Settings)).toBe(first)
    expect(cache.size).toBe(1)
    expect(first.settings.brokers.map(formatBroker)).toEqual(['b1:9092', 'b2:9092'])
  })

  it('the order of the keys does not matter', () => {
    const cache = new SettingsCache()
    const { password, ...rest } = base()
    expect(cache.resolve({ password, ...rest } as Settings)).toBe(cache.resolve(base()))
  })

  it('another value is another entry; another secret is another pool key', () => {
    const cache = new SettingsCache()
    const a = cache.resolve(base())
    const b = cache.resolve({ ...base(), password: 'other' })
    expect(b).not.toBe(a)
    expect(b.key).not.toBe(a.key)
  })

  it('null and undefined are the same setting; true and "true" give the same connection', () => {
    const cache = new SettingsCache()
    expect(cache.resolve({ ...base(), clientId: null } as unknown as Settings)).toBe(cache.resolve(base()))
    expect(cache.resolve({ ...base(), ssl_enabled: 'true' }).key).toBe(cache.resolve(base()).key)
  })

  it('invalid settings throw every time and are not cached', () => {
    const cache = new SettingsCache()
    for (let i = 0; i < 2; i++) expect(() => cache.resolve({ brokers: '' })).toThrow(SettingsError)
    expect(cache.size).toBe(0)
  })

  it('values of a type the runtime never sends bypass the cache (and are still resolved)', () => {
    const cache = new SettingsCache()
    const odd = { ...base(), clientId: { x: 1 } } as unknown as Settings
    expect(settingsDigest(odd)).toBeUndefined()
    expect(cache.resolve(odd).settings.clientId).toBe('segment-actions-kafka-producer')
    expect(cache.size).toBe(0)
  })

  it('is bounded: the least recently used entry goes', () => {
    const cache = new SettingsCache(2)
    for (const user of ['a', 'b', 'c']) cache.resolve({ ...base(), username: user })
    expect(cache.size).toBe(2)
  })
})

describe('settingsDigest', () => {
  it('holds no secret: neither the password nor an unsalted hash of the values', () => {
    const digest = settingsDigest(base()) as string
    expect(digest).not.toContain('alice-secret')
    expect(digest).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    const values = JSON.stringify(['b1:9092,b2:9092', null, 'scram-sha-512', 'alice', 'alice-secret'])
    expect(digest).not.toBe(createHash('sha256').update(values).digest('base64'))
  })

  it('is stable within the process and differs for any changed value', () => {
    expect(settingsDigest(base())).toBe(settingsDigest(base()))
    expect(settingsDigest({ ...base(), ssl_ca: 'x' })).not.toBe(settingsDigest(base()))
    expect(settingsDigest({ ...base(), ssl_enabled: false })).not.toBe(settingsDigest(base()))
  })
})
