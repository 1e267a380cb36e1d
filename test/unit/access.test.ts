import { AccessControl } from '../../src/local/access'

const KEY = 'wk-unit-0123456789'
const OTHER = 'wk-unit-other-987654'
const TOKEN = 'admin-unit-token-0123456789'
const basic = (user: string, password = ''): { authorization: string } => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
})
const secured = new AccessControl({
  writeKeys: [
    { name: 'web', key: KEY },
    { name: 'backend', key: OTHER }
  ],
  adminToken: TOKEN
})

/** The error a check throws, for asserting on its status and message. */
function refusal(fn: () => unknown): { status: number; message: string } {
  try {
    fn()
  } catch (error) {
    return error as { status: number; message: string }
  }
  throw new Error('expected a refusal')
}

describe('access control', () => {
  it('an open server (no keys, no token) lets everyone in as "none"', () => {
    const open = new AccessControl(undefined)
    expect(open.check('writeKey', {})).toEqual({ name: 'none' })
    expect(open.check('admin', {})).toEqual({ name: 'none' })
  })

  it('a write key as the basic-auth user (any password) or in the body names its key', () => {
    expect(secured.check('writeKey', basic(KEY))).toEqual({ name: 'web' })
    expect(secured.check('writeKey', basic(OTHER, 'ignored'))).toEqual({ name: 'backend' })
    expect(secured.check('writeKey', {}, KEY)).toEqual({ name: 'web' })
    expect(secured.check('writeKey', { authorization: `Bearer ${TOKEN}` })).toEqual({ name: 'admin' })
  })

  it('refuses a missing or wrong write key with a 401 that quotes nothing', () => {
    for (const [headers, body] of [
      [{}, undefined],
      [basic('wk-wrong'), undefined],
      [{}, 'wk-wrong-body'],
      [basic(KEY.slice(0, -1)), undefined],
      [{ authorization: `Bearer ${KEY}` }, undefined]
    ] as const) {
      const e = refusal(() => secured.check('writeKey', headers, body))
      expect(e.status).toBe(401)
      expect(e.message).not.toMatch(/wk-|admin-unit/)
    }
  })

  it('admin routes need the admin token; a write key is not enough', () => {
    expect(secured.check('admin', { authorization: `Bearer ${TOKEN}` })).toEqual({ name: 'admin' })
    expect(refusal(() => secured.check('admin', basic(KEY))).status).toBe(401)
    expect(refusal(() => secured.check('admin', { authorization: `Bearer ${TOKEN}x` })).status).toBe(401)
    expect(refusal(() => secured.check('admin', {})).message).not.toContain(TOKEN)
  })

  it('open routes need nothing', () => {
    expect(secured.check('open', {})).toEqual({ name: 'none' })
  })
})
