/** The config's browser options (server.allowedOrigins, publicUrl, trustProxy, rateLimits), checked by its ajv schema. */
import { parseConfig } from '../../src/local/config-file'

describe('the config', () => {
  const server = (extra: Record<string, unknown>): unknown => ({
    settings: { brokers: '127.0.0.1:9092' },
    subscriptions: [{ subscribe: 'type = "track"', mapping: {} }],
    server: extra
  })
  it.each([
    [{ allowedOrigins: ['https://shop.example.com/path'] }, 'server.allowedOrigins.0'],
    [{ publicUrl: 'events.example.com' }, 'server.publicUrl'],
    [{ trustProxy: -1 }, 'server.trustProxy'],
    [{ rateLimits: { perClient: { perSecond: 0, burst: 1 } } }, 'server.rateLimits.perClient'],
    [{ rateLimits: { perClients: false } }, "unknown property 'perClients'"]
  ])('refuses %j, naming %s', (extra, field) => {
    expect(() => parseConfig(server(extra))).toThrow(field)
  })
  it('takes the documented example', () => {
    expect(() =>
      parseConfig(
        server({
          allowedOrigins: ['https://shop.example.com', 'http://localhost:8080'],
          publicUrl: 'https://events.example.com',
          trustProxy: 1,
          rateLimits: { perClient: { perSecond: 20, burst: 200 }, perWriteKey: false, maxClients: 50000 }
        })
      )
    ).not.toThrow()
  })
})
