import { InvalidAuthenticationError } from '@segment/actions-core'
import { describeToken, initialResponse, rejectedTokenError } from '../../src/kafka/oauth-bearer'
import type { AccessToken } from '../../src/oauth/token-endpoint'

const jwt = (claims: object): string =>
  ['{"alg":"RS256"}', JSON.stringify(claims), 'signature'].map((p) => Buffer.from(p).toString('base64url')).join('.')

describe('OAUTHBEARER messages', () => {
  it('sends the GS2 header, the token and the extensions, length-prefixed', () => {
    const message = initialResponse('tok', { logicalCluster: 'lkc-1', identityPoolId: 'pool-2' })
    const body = 'n,,\x01auth=Bearer tok\x01logicalCluster=lkc-1\x01identityPoolId=pool-2\x01\x01'
    expect(message.readInt32BE(0)).toBe(Buffer.byteLength(body))
    expect(message.subarray(4).toString('utf8')).toBe(body)
  })

  it('sends no extension bytes when there are none', () => {
    expect(initialResponse('tok', {}).subarray(4).toString('utf8')).toBe('n,,\x01auth=Bearer tok\x01\x01')
  })

  it("explains a rejection with the token's claims, never the token", () => {
    const value = jwt({ aud: ['other-api', 'account'], iss: 'https://idp.example.com/realms/x', exp: 2 })
    const t: AccessToken = { value, expiresAt: Date.UTC(2030, 0, 1), lifetimeMs: 60_000 }
    const error = rejectedTokenError('invalid_token', t, {
      source: { token: () => Promise.resolve(t), invalidate: () => undefined },
      extensions: {},
      clientId: 'svc',
      tokenEndpoint: 'https://idp.example.com/token'
    })
    expect(error).toBeInstanceOf(InvalidAuthenticationError)
    expect(error).toMatchObject({ status: 401, code: 'OAUTH_TOKEN_REJECTED', retriable: false })
    expect(error.message).toContain(
      'the broker rejected the token of client "svc" from https://idp.example.com/token (invalid_token)'
    )
    expect(error.message).toContain(
      'audience other-api, account, issuer https://idp.example.com/realms/x, expiring 2030-01-01T00:00:00.000Z'
    )
    expect(error.message).not.toContain(value)
  })

  it('describes an opaque token by its expiry only', () => {
    expect(describeToken({ value: 'opaque', expiresAt: Date.UTC(2030, 0, 1), lifetimeMs: 1 })).toBe(
      'an opaque (non-JWT) token expiring 2030-01-01T00:00:00.000Z'
    )
  })
})
