import { oauthSettingsFields, resolveOAuthSettings } from '../../../src/oauth/settings'

const GOOD = {
  oauth_token_endpoint: ' https://idp.example.com/realms/r/protocol/openid-connect/token ',
  oauth_client_id: ' svc ',
  oauth_client_secret: ' s3cret with spaces '
}

describe('oauthbearer settings', () => {
  it('resolves the fields, trimming all but the secret; basic client authentication by default', () => {
    expect(resolveOAuthSettings({ ...GOOD, oauth_scope: ' a   b ', oauth_extensions: 'logicalCluster=lkc-1' })).toEqual(
      {
        settings: {
          tokenEndpoint: 'https://idp.example.com/realms/r/protocol/openid-connect/token',
          clientId: 'svc',
          clientSecret: ' s3cret with spaces ',
          scope: 'a b',
          clientAuth: 'basic',
          extensions: { logicalCluster: 'lkc-1' }
        },
        missing: [],
        problems: []
      }
    )
  })

  it('names every missing field', () => {
    expect(resolveOAuthSettings({}).missing).toEqual(['oauth_token_endpoint', 'oauth_client_id', 'oauth_client_secret'])
  })

  it.each([
    ['not a url', 'oauth_token_endpoint "not a url" is not a URL (expected https://host/path)'],
    ['ftp://idp/token', 'oauth_token_endpoint must be an http or https URL, not ftp:'],
    [
      'https://u:p@idp/token',
      'oauth_token_endpoint must not contain credentials: use oauth_client_id and oauth_client_secret'
    ],
    ['https://idp/token#x', 'oauth_token_endpoint must not contain a #fragment']
  ])('rejects the token endpoint %j', (endpoint, problem) => {
    expect(resolveOAuthSettings({ ...GOOD, oauth_token_endpoint: endpoint }).problems).toEqual([problem])
  })

  it('accepts form client authentication and rejects unknown ones', () => {
    expect(resolveOAuthSettings({ ...GOOD, oauth_client_auth: 'FORM' }).settings.clientAuth).toBe('form')
    expect(resolveOAuthSettings({ ...GOOD, oauth_client_auth: 'jwt' }).problems).toEqual([
      'oauth_client_auth "jwt" is not one of basic, form'
    ])
  })

  it('reports bad extensions with the field name', () => {
    expect(resolveOAuthSettings({ ...GOOD, oauth_extensions: 'auth=x' }).problems).toEqual([
      'oauth_extensions: the key "auth" is reserved by SASL OAUTHBEARER'
    ])
  })

  it('shows its fields only for mechanism oauthbearer, the secret as a password', () => {
    for (const field of Object.values(oauthSettingsFields))
      expect(field.depends_on).toEqual({
        match: 'all',
        conditions: [{ fieldKey: 'mechanism', operator: 'is', value: 'oauthbearer' }]
      })
    expect(oauthSettingsFields.oauth_client_secret.type).toBe('password')
  })
})
