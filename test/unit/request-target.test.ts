/**
 * The request target as a route path: the forms a client may send, the ones refused (with a reason, for
 * a 400), and trailing slashes trimmed without a backtracking regular expression.
 */
import { parseTarget } from '../../src/local/request-target'

describe('parseTarget', () => {
  it.each([
    ['/', '/'],
    ['/health', '/health'],
    ['/health/', '/health'],
    ['/health///', '/health'],
    ['///', '/'],
    ['/v1/track?x=1&y=/', '/v1/track'],
    ['/v1/track#frag', '/v1/track'],
    ['http://localhost:3000/v1/batch', '/v1/batch'],
    ['HTTP://example.com', '/'],
    ['http://[::1]:3000/health?q', '/health'],
    ['/a%20b', '/a%20b'],
    ['//health', '//health']
  ])('%s is the path %s', (target, path) => {
    expect(parseTarget(target)).toEqual({ ok: true, path })
  })

  it.each([
    ['//[', /character/],
    ['/[', /character/],
    ['//%zz/health', /hex/],
    ['/a%2', /hex/],
    ['http://[/', /host/],
    ['http://user@host/x', /host/],
    ['*', /starting with \//],
    ['health', /starting with \//],
    ['/a b', /character/],
    ['/\u00e9', /character/]
  ])('%s is refused', (target, reason) => {
    const parsed = parseTarget(target)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason)
  })

  it('trims a long run of slashes in one pass', () => {
    expect(parseTarget(`/a${'/'.repeat(16000)}x`)).toEqual({ ok: true, path: `/a${'/'.repeat(16000)}x` })
    expect(parseTarget(`/a${'/'.repeat(100000)}`)).toEqual({ ok: true, path: '/a' })
  })

  it('takes no target as /', () => {
    expect(parseTarget(undefined)).toEqual({ ok: true, path: '/' })
  })
})
