import { RequestError } from '../../src/local/http-io'
import { clientAddress, clientKey, RateLimiter, TokenBucket } from '../../src/local/rate-limit'

describe('TokenBucket', () => {
  it('gives the burst at once, then tokens at the rate, and says how long to wait', () => {
    const bucket = new TokenBucket(2, 3, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0])
    expect(bucket.take(0)).toBe(1) // 1 token at 2/s comes in 0.5 s: Retry-After rounds up to 1 s
    expect(bucket.take(499)).toBe(1)
    expect(bucket.take(500)).toBe(0)
    expect(bucket.take(500)).toBe(1)
  })

  it('never holds more than the burst, and a slow rate asks for a longer wait', () => {
    const bucket = new TokenBucket(0.1, 1, 0)
    expect(bucket.take(1_000_000)).toBe(0)
    expect(bucket.take(1_000_000)).toBe(10)
  })

  it('does not go wrong when the clock goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 1000)
    expect(bucket.take(1000)).toBe(0)
    expect(bucket.take(0)).toBe(1)
  })
})

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '8193:3512:1:2::/64'],
    ['2001:db8:1:2::9', '8193:3512:1:2::/64'],
    ['2001:DB8::1', '8193:3512:0:0::/64'],
    ['::1', '0:0:0:0::/64']
  ])('%s counts as %s (IPv6 by its /64)', (address, key) => {
    expect(clientKey(address)).toBe(key)
  })
})

describe('clientAddress', () => {
  it('is the socket address unless proxies are trusted', () => {
    expect(clientAddress('10.0.0.9', '198.51.100.1', 0)).toBe('10.0.0.9')
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown')
  })

  it('with n trusted proxies, is the n-th X-Forwarded-For entry from the right', () => {
    const header = '198.51.100.66, 203.0.113.7, 10.0.0.2'
    expect(clientAddress('10.0.0.9', header, 1)).toBe('10.0.0.2')
    expect(clientAddress('10.0.0.9', header, 2)).toBe('203.0.113.7')
    // A client may prepend anything: beyond the header's length the leftmost entry is taken.
    expect(clientAddress('10.0.0.9', header, 5)).toBe('198.51.100.66')
  })

  it('falls back to the socket when the trusted entry is not an address', () => {
    expect(clientAddress('10.0.0.9', 'garbage', 1)).toBe('10.0.0.9')
    expect(clientAddress('10.0.0.9', '', 1)).toBe('10.0.0.9')
  })
})

describe('RateLimiter', () => {
  const refusal = (fn: () => void): RequestError | undefined => {
    try {
      fn()
    } catch (error) {
      return error as RequestError
    }
    return undefined
  }

  it('is off by default for a gateway without allowed origins (server-side write keys)', () => {
    const limiter = new RateLimiter({}, undefined, () => 0)
    for (let i = 0; i < 10000; i++) limiter.client('203.0.113.7')
    for (let i = 0; i < 10000; i++) limiter.writeKey('web')
  })

  it('is on with the browser defaults once origins are allowed', () => {
    const limited: string[] = []
    const limiter = new RateLimiter(
      { allowedOrigins: ['*'] },
      (limit) => limited.push(limit),
      () => 0
    )
    for (let i = 0; i < 500; i++) limiter.client('203.0.113.7')
    expect(refusal(() => limiter.client('203.0.113.7'))?.status).toBe(429)
    expect(refusal(() => limiter.client('203.0.113.8'))).toBeUndefined()
    expect(limited).toEqual(['client'])
  })

  it('refuses with 429, Retry-After and a message naming the write key by name; counts it by name', () => {
    const limited: [string, string][] = []
    const limiter = new RateLimiter(
      { rateLimits: { perWriteKey: { perSecond: 1, burst: 1 }, perClient: false } },
      (limit, name) => limited.push([limit, name]),
      () => 0
    )
    limiter.writeKey('web')
    const error = refusal(() => limiter.writeKey('web'))
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', headers: { 'retry-after': '1' } })
    expect(error?.message).toBe('too many requests from write key web; retry after 1 s')
    limiter.writeKey('backend')
    expect(limited).toEqual([['write_key', 'web']])
  })

  it('remembers at most maxClients addresses (the least recently seen is forgotten)', () => {
    const limiter = new RateLimiter(
      { rateLimits: { perClient: { perSecond: 1, burst: 1 }, maxClients: 2 } },
      undefined,
      () => 0
    )
    limiter.client('192.0.2.1')
    limiter.client('192.0.2.2')
    limiter.client('192.0.2.3') // 192.0.2.1 forgotten: it starts again with a full bucket
    expect(refusal(() => limiter.client('192.0.2.3'))?.status).toBe(429)
    expect(refusal(() => limiter.client('192.0.2.1'))).toBeUndefined()
  })
})
