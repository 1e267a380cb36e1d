import { ALLOWED_HEADERS, OriginPolicy, PREFLIGHT_MAX_AGE_SECONDS } from '../../src/local/cors'
import { checkContentType, RequestError } from '../../src/local/http-io'
import { parsePublicUrl, publicBase } from '../../src/local/public-url'
import { matchRoute, type Route, type Routes } from '../../src/local/route'

const own = (): string => 'events.example.com'
const refusal = (fn: () => unknown): RequestError | undefined => {
  try {
    fn()
  } catch (error) {
    return error as RequestError
  }
  return undefined
}

describe('OriginPolicy on the browser routes', () => {
  const policy = new OriginPolicy({ allowedOrigins: ['https://Shop.example.com'] })

  it('echoes an allowed origin (case aside), exposes Retry-After and varies by Origin', () => {
    expect(policy.browserHeaders({ origin: 'https://shop.example.com' }, own)).toEqual({
      'access-control-allow-origin': 'https://shop.example.com',
      'access-control-expose-headers': 'Retry-After',
      vary: 'Origin'
    })
  })

  it('refuses another origin with 403 and no CORS header; no Origin (servers, SDKs) and its own pages pass', () => {
    const error = refusal(() => policy.browserHeaders({ origin: 'https://evil.example' }, own))
    expect(error).toMatchObject({ status: 403, code: 'ORIGIN_NOT_ALLOWED', headers: {} })
    expect(refusal(() => policy.browserHeaders({ origin: 'null' }, own))?.status).toBe(403)
    expect(policy.browserHeaders({}, own)).toEqual({})
    expect(policy.browserHeaders({ origin: 'https://events.example.com' }, own)).toEqual({})
  })

  it('`*` allows any page, without credentials', () => {
    expect(new OriginPolicy({ allowedOrigins: ['*'] }).browserHeaders({ origin: 'https://any.example' }, own)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'Retry-After'
    })
  })

  it('none allowed by default', () => {
    expect(
      refusal(() => new OriginPolicy(undefined).browserHeaders({ origin: 'https://shop.example.com' }, own))
    ).toBeDefined()
  })

  it("answers an allowed preflight with the route's method, the SDK's headers and a max age", () => {
    const cors = policy.browserHeaders({ origin: 'https://shop.example.com' }, own)
    expect(policy.preflight(cors, 'POST')).toMatchObject({
      status: 204,
      headers: {
        'access-control-allow-origin': 'https://shop.example.com',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS)
      }
    })
    expect(ALLOWED_HEADERS).toBe('Authorization, Content-Type, X-Retry-Count')
    expect(policy.preflight({}, 'GET').headers).toEqual({ allow: 'GET, OPTIONS' })
  })
})

describe('OriginPolicy on every other route', () => {
  const policy = new OriginPolicy({ allowedOrigins: ['*'] })
  it('refuses pages of other origins even with `*`; its own pages and requests without Origin pass', () => {
    expect(refusal(() => policy.sameOriginOnly({ origin: 'https://shop.example.com' }, own))).toMatchObject({
      status: 403,
      code: 'CROSS_ORIGIN_REFUSED'
    })
    expect(refusal(() => policy.sameOriginOnly({ origin: 'https://events.example.com' }, own))).toBeUndefined()
    expect(refusal(() => policy.sameOriginOnly({}, own))).toBeUndefined()
  })
})

describe('publicBase', () => {
  it('takes the configured public URL, path prefix included', () => {
    expect(parsePublicUrl('https://Events.example.com/segment/')).toEqual({
      protocol: 'https',
      host: 'events.example.com',
      path: '/segment'
    })
    expect(publicBase({ publicUrl: 'http://gw:8080' }, { host: 'ignored' }, true)).toEqual({
      protocol: 'http',
      host: 'gw:8080',
      path: ''
    })
  })

  it('else the Host header and the server TLS; X-Forwarded-* only from trusted proxies', () => {
    const headers = { host: '127.0.0.1:3000', 'x-forwarded-host': 'events.example.com', 'x-forwarded-proto': 'https' }
    expect(publicBase({}, headers, false)).toEqual({ protocol: 'http', host: '127.0.0.1:3000', path: '' })
    expect(publicBase({}, headers, true).protocol).toBe('https')
    expect(publicBase({ trustProxy: 1 }, headers, false)).toEqual({
      protocol: 'https',
      host: 'events.example.com',
      path: ''
    })
  })

  it('refuses a Host header that is not a host name', () => {
    expect(refusal(() => publicBase({}, { host: 'evil.example/"><script>' }, false))?.code).toBe('INVALID_HOST')
    expect(refusal(() => publicBase({}, {}, false))?.code).toBe('INVALID_HOST')
  })
})

describe('checkContentType', () => {
  it.each([undefined, 'application/json', 'application/json; charset=utf-8', 'application/vnd.api+json'])(
    'accepts %s everywhere',
    (type) => {
      expect(() => checkContentType(type, false)).not.toThrow()
    }
  )
  it('accepts text/plain only where asked (the browser routes)', () => {
    expect(() => checkContentType('text/plain;charset=UTF-8', true)).not.toThrow()
    expect(refusal(() => checkContentType('text/plain', false))).toMatchObject({ status: 415 })
    expect(refusal(() => checkContentType('application/x-www-form-urlencoded', true))?.message).toMatch(
      /send application\/json or text\/plain holding JSON/
    )
  })
})

describe('matchRoute', () => {
  const route = { method: 'GET' } as Route
  const routes: Routes = new Map([
    ['/v1/track', route],
    ['/v1/projects/:writeKey/settings', route]
  ])
  it('matches exact paths first, then `:name` segments, decoded', () => {
    expect(matchRoute(routes, '/v1/track')?.key).toBe('/v1/track')
    expect(matchRoute(routes, '/v1/projects/wk%20x/settings')).toMatchObject({
      key: '/v1/projects/:writeKey/settings',
      params: { writeKey: 'wk x' }
    })
    expect(matchRoute(routes, '/v1/projects//settings')).toBeUndefined()
    expect(matchRoute(routes, '/v1/projects/a/b/settings')).toBeUndefined()
    expect(matchRoute(routes, '/v1/projects/%zz/settings')?.params).toEqual({ writeKey: '%zz' })
  })
})
