import {
  createTokenSource,
  fresh,
  REFRESH_MIN_REMAINING_MS,
  STALE_MIN_REMAINING_MS
} from '../../../src/oauth/token-source'
import type { AccessToken, OAuthClient } from '../../../src/oauth/token-endpoint'

const CLIENT: OAuthClient = {
  tokenEndpoint: 'https://idp.example.com/token',
  clientId: 'c',
  clientSecret: 's3cret',
  clientAuth: 'basic'
}

function harness(lifetimeMs = 300_000) {
  let clock = 1_000_000
  let issued = 0
  const calls: ((t: AccessToken) => void)[] = []
  const failures: ((e: Error) => void)[] = []
  const request = jest.fn(
    () =>
      new Promise<AccessToken>((resolve, reject) => {
        calls.push(resolve)
        failures.push(reject)
      })
  )
  const answer = (): void => {
    issued++
    calls.shift()?.({ value: `t${issued}`, expiresAt: clock + lifetimeMs, lifetimeMs })
    failures.shift()
  }
  const fail = (): void => {
    calls.shift()
    failures.shift()?.(new Error('provider down'))
  }
  const source = createTokenSource(CLIENT, { request, now: () => clock })
  return { source, request, answer, fail, advance: (ms: number) => (clock += ms) }
}

describe('token source', () => {
  it('shares one request between concurrent callers', async () => {
    const h = harness()
    const all = Promise.all([h.source.token(), h.source.token(), h.source.token()])
    h.answer()
    const tokens = await all
    expect(h.request).toHaveBeenCalledTimes(1)
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['t1']))
  })

  it('reuses the token until a fifth of its lifetime is left, then fetches a new one', async () => {
    const h = harness(300_000)
    const first = h.source.token()
    h.answer()
    expect((await first).value).toBe('t1')
    h.advance(239_000) // 61 s left: more than a fifth (60 s)
    expect((await h.source.token()).value).toBe('t1')
    h.advance(2_000) // 59 s left
    const next = h.source.token()
    h.answer()
    expect((await next).value).toBe('t2')
    expect(h.request).toHaveBeenCalledTimes(2)
  })

  it('replaces a short-lived token once less than 15 s is left (kafkajs re-authenticates 10 s before a session ends)', () => {
    const t: AccessToken = { value: 'x', expiresAt: 30_000, lifetimeMs: 30_000 }
    expect(fresh(t, 30_000 - REFRESH_MIN_REMAINING_MS - 1)).toBe(true)
    expect(fresh(t, 30_000 - REFRESH_MIN_REMAINING_MS)).toBe(false)
  })

  it('does not cache a failure: the next call asks again', async () => {
    const h = harness()
    const failed = h.source.token()
    h.fail()
    await expect(failed).rejects.toThrow('provider down')
    const retried = h.source.token()
    h.answer()
    expect((await retried).value).toBe('t1')
  })

  it('hands out the cached token while the provider fails, until it is about to expire', async () => {
    const h = harness(60_000)
    const first = h.source.token()
    h.answer()
    await first
    h.advance(46_000) // 14 s left: due for refresh, still handed out
    const during = h.source.token()
    h.fail()
    expect((await during).value).toBe('t1')
    h.advance(14_000 - STALE_MIN_REMAINING_MS) // 12 s left: no longer handed out
    const late = h.source.token()
    h.fail()
    await expect(late).rejects.toThrow('provider down')
  })

  it('forgets a token the broker rejected, and only that one', async () => {
    const h = harness()
    const first = h.source.token()
    h.answer()
    await first
    h.source.invalidate('another')
    expect((await h.source.token()).value).toBe('t1')
    h.source.invalidate('t1')
    const next = h.source.token()
    h.answer()
    expect((await next).value).toBe('t2')
  })
})
