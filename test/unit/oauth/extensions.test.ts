import { encodeExtensions, parseExtensions } from '../../../src/oauth/extensions'

describe('oauth_extensions', () => {
  it("parses Confluent Cloud's pairs, trimming spaces and skipping empty items", () => {
    expect(parseExtensions(' logicalCluster=lkc-abc123 , identityPoolId=pool-XyZ ,,')).toEqual({
      extensions: { logicalCluster: 'lkc-abc123', identityPoolId: 'pool-XyZ' },
      problems: []
    })
  })

  it('keeps an = inside the value and allows spaces in it', () => {
    expect(parseExtensions('note=a=b c').extensions).toEqual({ note: 'a=b c' })
  })

  it('is empty for an empty or missing setting', () => {
    expect(parseExtensions(undefined)).toEqual({ extensions: {}, problems: [] })
    expect(parseExtensions('  ')).toEqual({ extensions: {}, problems: [] })
  })

  it.each([
    ['logicalCluster', 'oauth_extensions: "logicalCluster" is not key=value'],
    ['logical_cluster=x', 'oauth_extensions: the key "logical_cluster" must be letters only (A-Z, a-z)'],
    ['=x', 'oauth_extensions: the key "" must be letters only (A-Z, a-z)'],
    ['auth=x', 'oauth_extensions: the key "auth" is reserved by SASL OAUTHBEARER'],
    ['a=1,a=2', 'oauth_extensions: the key "a" is given twice'],
    ['a=', 'oauth_extensions: "a" has no value'],
    ['a=héllo', 'oauth_extensions: the value of "a" must be printable ASCII (no control or non-ASCII characters)'],
    ['a=x\u0001y', 'oauth_extensions: the value of "a" must be printable ASCII (no control or non-ASCII characters)']
  ])('rejects %j', (raw, problem) => {
    expect(parseExtensions(raw).problems).toEqual([problem])
  })

  it('reports every bad pair at once', () => {
    expect(parseExtensions('x,auth=1,ok=yes').problems).toHaveLength(2)
  })

  it('encodes pairs as the SASL message carries them', () => {
    expect(encodeExtensions({ a: '1', b: 'two' })).toBe('a=1\x01b=two\x01')
    expect(encodeExtensions({})).toBe('')
  })
})
