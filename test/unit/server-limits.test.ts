/**
 * The `server` section's limits: defaults, the schema's bounds (a failure names the field) and the rule
 * the schema cannot say (headers within the request's time).
 */
import { parseConfig } from '../../src/local/config-file'
import { DEFAULT_LIMITS, httpOptions, limitsOf } from '../../src/local/server-limits'

const config = (server: object) => ({
  settings: { brokers: '127.0.0.1:9092' },
  subscriptions: [{ subscribe: 'type = "track"', mapping: { topic: 't' } }],
  server
})

describe('server limits', () => {
  it('has explicit defaults, the given ones on top', () => {
    expect(limitsOf(undefined)).toEqual(DEFAULT_LIMITS)
    expect(limitsOf({ maxConnections: 5, writeKeys: [] } as object)).toEqual({ ...DEFAULT_LIMITS, maxConnections: 5 })
    expect(DEFAULT_LIMITS).toMatchObject({ headersTimeoutMs: 10000, requestTimeoutMs: 30000, maxEventDepth: 64 })
  })

  it('gives Node its timeouts, checked every second at most', () => {
    expect(httpOptions(DEFAULT_LIMITS)).toEqual({
      headersTimeout: 10000,
      requestTimeout: 30000,
      keepAliveTimeout: 5000,
      connectionsCheckingInterval: 1000
    })
  })

  it.each([
    [{ headersTimeoutMs: 0 }, /server\.headersTimeoutMs/],
    [{ maxConnections: 'many' }, /server\.maxConnections/],
    [{ maxEventDepth: 2 }, /server\.maxEventDepth/],
    [
      { headersTimeoutMs: 5000, requestTimeoutMs: 1000 },
      /server\.headersTimeoutMs: 5000 is more than server\.requestTimeoutMs/
    ]
  ])('refuses %j, naming the field', (server, message) => {
    expect(() => parseConfig(config(server))).toThrow(message)
  })

  it('takes valid limits', () => {
    const parsed = parseConfig(config({ requestTimeoutMs: 60000, keepAliveTimeoutMs: 65000, maxEventBytes: 32768 }))
    expect(limitsOf(parsed.server)).toMatchObject({
      requestTimeoutMs: 60000,
      keepAliveTimeoutMs: 65000,
      maxEventBytes: 32768
    })
  })
})
