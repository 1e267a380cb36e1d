import { parseConfig } from '../../src/local/config-file'
import { checkExposure, isLoopback, requestSettingsAllowed } from '../../src/local/server-config'

const base = {
  settings: { brokers: '127.0.0.1:9092' },
  subscriptions: [{ subscribe: 'type = "track"', mapping: { topic: 't' } }]
}
const withServer = (server: unknown): unknown => ({ ...base, server })
const KEY = 'wk-0123456789'
const TOKEN = 'token-0123456789abcdef'

describe("the config file's server section", () => {
  it('is optional and kept when given', () => {
    expect(parseConfig(base).server).toBeUndefined()
    const server = {
      writeKeys: [{ name: 'web', key: KEY }],
      adminToken: TOKEN,
      allowRequestSettings: false,
      tls: { certFile: 'c.pem', keyFile: 'k.pem' },
      maxInFlightEvents: 5000,
      drainTimeoutMs: 1000,
      deadLetter: { topic: 'dead-letters' }
    }
    expect(parseConfig(withServer(server)).server).toEqual(server)
  })

  it.each([
    [{ writeKeys: [{ name: 'web' }] }, /server\.writeKeys\.0: missing required property 'key'/],
    [{ writeKeys: [{ name: 'a b', key: KEY }] }, /server\.writeKeys\.0\.name: must match pattern/],
    [{ writeKeys: [{ name: 'web', key: 'short' }] }, /server\.writeKeys\.0\.key: must NOT have fewer than 8/],
    [{ writeKeys: [] }, /server\.writeKeys: must NOT have fewer than 1 items/],
    [{ adminToken: 'short' }, /server\.adminToken: must NOT have fewer than 16/],
    [{ metricsToken: 'short' }, /server\.metricsToken: must NOT have fewer than 16/],
    [{ maxInFlightEvents: 0 }, /server\.maxInFlightEvents: must be >= 1/],
    [{ maxInFlightEvents: 1.5 }, /server\.maxInFlightEvents: must be integer/],
    [{ tls: { certFile: 'c' } }, /server\.tls: missing required property 'keyFile'/],
    [{ deadLetter: { topic: 'bad topic' } }, /server\.deadLetter\.topic: must match pattern/],
    [{ writekeys: [] }, /server: unknown property 'writekeys'/],
    [
      {
        writeKeys: [
          { name: 'web', key: KEY },
          { name: 'web', key: `${KEY}-2` }
        ]
      },
      /server\.writeKeys\.1\.name: 'web' is used twice/
    ],
    [
      {
        writeKeys: [
          { name: 'a', key: KEY },
          { name: 'b', key: KEY }
        ]
      },
      /server\.writeKeys\.1\.key: the same key as an earlier write key/
    ],
    [
      { writeKeys: [{ name: 'a', key: TOKEN }], adminToken: TOKEN },
      /server\.adminToken: must differ from every write key/
    ],
    [
      { writeKeys: [{ name: 'a', key: TOKEN }], metricsToken: TOKEN },
      /server\.metricsToken: must differ from every write key/
    ]
  ])('%j -> an error naming the field', (server, message) => {
    expect(() => parseConfig(withServer(server))).toThrow(message)
  })

  it('never quotes a key or the token in an error', () => {
    try {
      parseConfig(withServer({ writeKeys: [{ name: 'a', key: TOKEN }], adminToken: TOKEN }))
    } catch (error) {
      expect((error as Error).message).not.toContain(TOKEN)
    }
  })
})

describe('where the server may listen', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) =>
    expect(isLoopback(host)).toBe(true)
  )
  it.each(['0.0.0.0', '::', '10.0.0.1', 'example.com', '192.168.1.2'])('%s is not', (host) =>
    expect(isLoopback(host)).toBe(false)
  )

  it('beyond loopback needs write keys and an admin token', () => {
    expect(() => checkExposure('127.0.0.1', undefined)).not.toThrow()
    expect(() => checkExposure('0.0.0.0', undefined)).toThrow(/server\.writeKeys and server\.adminToken/)
    expect(() => checkExposure('0.0.0.0', { adminToken: TOKEN })).toThrow(/without server\.writeKeys in/)
    expect(() => checkExposure('::', { writeKeys: [{ name: 'a', key: KEY }], adminToken: TOKEN })).not.toThrow()
  })

  it('settings in requests: allowed on an open server, refused on a secured one unless configured', () => {
    expect(requestSettingsAllowed(undefined)).toBe(true)
    expect(requestSettingsAllowed({ adminToken: TOKEN })).toBe(false)
    expect(requestSettingsAllowed({ adminToken: TOKEN, allowRequestSettings: true })).toBe(true)
    expect(requestSettingsAllowed({ allowRequestSettings: false })).toBe(false)
  })
})
