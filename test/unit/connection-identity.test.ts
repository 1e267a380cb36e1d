import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createCa } from '../../scripts/broker/pki'
import { connectionKey, describeConnection, redact, secretsOf } from '../../src/connection-identity'
import { normaliseSettings } from '../../src/settings'
import { SECRET_SETTINGS, SETTING_NAMES, type Settings } from '../../src/settings-fields'

const pem = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-test-'))
  createCa(dir, 'ca', 'ca')
  const cert = fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8')
  fs.rmSync(dir, { recursive: true, force: true })
  return cert
})()
const body = (text: string): string => text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').trim()

const aws: Settings = {
  brokers: 'b-1.x.y.c2.kafka.eu-west-1.amazonaws.com:9098',
  mechanism: 'aws',
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: 'aws-Secret-Key-0001',
  sessionToken: 'aws-Session-Token-0001'
}
const oauth: Settings = {
  brokers: 'pkc-1.eu-west-1.aws.confluent.cloud:9092',
  mechanism: 'oauthbearer',
  oauth_token_endpoint: 'https://idp.example.com/oauth2/token',
  oauth_client_id: 'svc',
  oauth_client_secret: 'oauth-Client-Secret-0001',
  oauth_scope: 'kafka',
  oauth_extensions: 'logicalCluster=lkc-1'
}
const scram: Settings = { brokers: 'b1:9092', mechanism: 'scram-sha-512', username: 'alice', password: 'pw-S3cret!' }

describe('connection identity', () => {
  it('the secrets are the password fields of the settings list', () => {
    expect(SECRET_SETTINGS).toEqual([
      'password',
      'secretAccessKey',
      'sessionToken',
      'oauth_client_secret',
      'ssl_key',
      'schema_registry_password'
    ])
    const withRegistry = {
      ...scram,
      schema_registry_url: 'https://r',
      schema_registry_username: 'k',
      schema_registry_password: 'registry-Secret-01'
    }
    expect(secretsOf(normaliseSettings(withRegistry))).toContain('registry-Secret-01')
    expect(secretsOf(normaliseSettings(aws))).toEqual(['aws-Secret-Key-0001', 'aws-Session-Token-0001'])
    expect(redact('x aws-Secret-Key-0001 y', normaliseSettings(aws))).toBe('x [redacted] y')
  })

  it('the pool key depends on every setting, and on the normalised values only', () => {
    const key = connectionKey(normaliseSettings(scram))
    expect(connectionKey(normaliseSettings({ ...scram, brokers: ' B1:9092 ,b1:9092' }))).toBe(key)
    expect(connectionKey(normaliseSettings({ ...scram, ssl_ca: pem }))).toBe(
      connectionKey(normaliseSettings({ ...scram, ssl_ca: body(pem).replace(/\n/g, '\\n') }))
    )
    const changed: Partial<Record<string, Settings>> = {
      brokers: { ...scram, brokers: 'b2:9092' },
      clientId: { ...scram, clientId: 'other' },
      mechanism: { ...scram, mechanism: 'plain' },
      username: { ...scram, username: 'bob' },
      password: { ...scram, password: 'other-password' },
      ssl_enabled: { ...scram, ssl_enabled: false },
      ssl_ca: { ...scram, ssl_ca: pem },
      ssl_reject_unauthorized_ca: { ...scram, ssl_reject_unauthorized_ca: false },
      accessKeyId: { ...aws, accessKeyId: 'AKIAOTHER' },
      secretAccessKey: { ...aws, secretAccessKey: 'another-secret-key' },
      sessionToken: { ...aws, sessionToken: 'another-session-token' },
      authorizationIdentity: { ...aws, authorizationIdentity: 'arn:aws:iam::123456789012:role/r' },
      awsRegion: { ...aws, brokers: '10.0.0.1:9098', awsRegion: 'us-east-1' },
      schema_registry_url: { ...scram, schema_registry_url: 'https://registry.example.com' },
      schema_registry_username: { ...scram, schema_registry_url: 'https://r', schema_registry_username: 'other' },
      schema_registry_password: {
        ...scram,
        schema_registry_url: 'https://r',
        schema_registry_username: 'k',
        schema_registry_password: 'x1'
      },
      schema_registry_ca: { ...scram, schema_registry_url: 'https://r', schema_registry_ca: pem },
      oauth_token_endpoint: { ...oauth, oauth_token_endpoint: 'https://other.example.com/token' },
      oauth_client_id: { ...oauth, oauth_client_id: 'other' },
      oauth_client_secret: { ...oauth, oauth_client_secret: 'other-secret' },
      oauth_scope: { ...oauth, oauth_scope: 'other' },
      oauth_extensions: { ...oauth, oauth_extensions: 'logicalCluster=lkc-2' },
      oauth_client_auth: { ...oauth, oauth_client_auth: 'form' }
    }
    const baseOf = (name: string): Settings =>
      ['accessKeyId', 'secretAccessKey', 'sessionToken', 'authorizationIdentity'].includes(name)
        ? aws
        : name === 'awsRegion'
          ? { ...aws, brokers: '10.0.0.1:9098', awsRegion: 'eu-west-1' }
          : name.startsWith('oauth_')
            ? oauth
            : scram
    for (const name of SETTING_NAMES) {
      const other = changed[name]
      if (!other) continue // ssl_cert and ssl_key: covered by the client-certificate tests
      expect([name, connectionKey(normaliseSettings(other))]).not.toEqual([
        name,
        connectionKey(normaliseSettings(baseOf(name)))
      ])
    }
  })

  it('describes a connection without secrets', () => {
    const text = describeConnection(normaliseSettings(aws))
    expect(text).toBe(
      'aws as "AKIAEXAMPLE" to b-1.x.y.c2.kafka.eu-west-1.amazonaws.com:9098 over TLS (public CAs, verified), client id "segment-actions-kafka-producer"'
    )
    expect(text).not.toContain('aws-Secret-Key-0001')
    const oauthText = describeConnection(normaliseSettings(oauth))
    expect(oauthText).toBe(
      'oauthbearer as client "svc" (token endpoint https://idp.example.com/oauth2/token) to pkc-1.eu-west-1.aws.confluent.cloud:9092 over TLS (public CAs, verified), client id "segment-actions-kafka-producer"'
    )
    expect(oauthText).not.toContain('oauth-Client-Secret-0001')
    expect(secretsOf(normaliseSettings(oauth))).toEqual(['oauth-Client-Secret-0001'])
  })
})
