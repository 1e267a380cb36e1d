import { IntegrationError } from '@segment/actions-core'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createCa } from '../../scripts/broker/pki'
import { formatBroker, parseBrokers as parse } from '../../src/brokers'
import { normaliseSettings } from '../../src/settings'
import { settingsFields, type Settings } from '../../src/settings-fields'

/** A client certificate and its key (PEM checked by normaliseSettings), made with openssl. */
const pki = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-test-'))
  createCa(dir, 'client', 'client')
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8')
  const files = { cert: read('client.crt'), key: read('client.key') }
  fs.rmSync(dir, { recursive: true, force: true })
  return files
})()

/** The brokers parsed, written back as text (what these tests compare). */
const parseBrokers = (raw: unknown) => {
  const { brokers, problems } = parse(raw)
  return { brokers: brokers.map(formatBroker), problems }
}

const base: Settings = { brokers: 'b1:9092', mechanism: 'plain', username: 'alice', password: 'pw-S3cret!' }

function problemOf(raw: Settings): IntegrationError {
  try {
    normaliseSettings(raw)
  } catch (e) {
    return e as IntegrationError
  }
  throw new Error('expected normaliseSettings to throw')
}

describe('parseBrokers', () => {
  it('trims, ignores empty items and duplicates', () => {
    expect(parseBrokers(' b1:9092 , ,b2:9093,,b1:9092, B1:9092\n').brokers).toEqual(['b1:9092', 'b2:9093'])
  })

  it('accepts IPv6 literals in brackets and normalises their case', () => {
    expect(parseBrokers('[::1]:9092,[2001:DB8::1]:9093,[::1]:9092').brokers).toEqual([
      '[::1]:9092',
      '[2001:db8::1]:9093'
    ])
  })

  it('accepts IPv4 addresses and host names with dashes, dots and underscores', () => {
    expect(parseBrokers('10.0.0.1:1,b-1.kafka.eu-west-1.amazonaws.com:9096,my_host:65535').problems).toEqual([])
  })

  it('names every invalid entry with its reason', () => {
    const { problems } = parseBrokers(
      'good:9092, nohost, :9092, h:0, h:70000, h:x, ::1:9092, [::1], [zz]:1, SASL_SSL://h:9092'
    )
    expect(problems).toHaveLength(1)
    for (const bad of [
      '"nohost" (missing port',
      '":9092" (missing host',
      '"h:0" (the port',
      '"h:70000"',
      '"h:x"',
      '"::1:9092" (IPv6 addresses must be written in brackets',
      '"[::1]" (missing port',
      '"[zz]:1" (not a valid IPv6',
      '"SASL_SSL://h:9092" (remove the protocol prefix'
    ])
      expect(problems[0]).toContain(bad)
    expect(problems[0]).not.toContain('"good:9092"')
  })

  it('requires at least one broker', () => {
    expect(parseBrokers(' , ').problems).toEqual(['brokers is required (host:port, ...)'])
    expect(parseBrokers(undefined).problems).toEqual(['brokers is required (host:port, ...)'])
  })
})

describe('normaliseSettings', () => {
  it('resolves mechanism oauthbearer, naming its missing and bad fields', () => {
    const c = normaliseSettings({
      brokers: 'b1:9092',
      mechanism: 'oauthbearer',
      oauth_token_endpoint: 'https://idp.example.com/token',
      oauth_client_id: 'svc',
      oauth_client_secret: 'secret-value',
      oauth_extensions: 'logicalCluster=lkc-1,identityPoolId=pool-2'
    })
    expect(c.oauth).toEqual({
      tokenEndpoint: 'https://idp.example.com/token',
      clientId: 'svc',
      clientSecret: 'secret-value',
      clientAuth: 'basic',
      extensions: { logicalCluster: 'lkc-1', identityPoolId: 'pool-2' }
    })
    expect(() =>
      normaliseSettings({ brokers: 'b1:9092', mechanism: 'oauthbearer', oauth_extensions: 'auth=x' } as Settings)
    ).toThrow(
      'Invalid settings: oauth_extensions: the key "auth" is reserved by SASL OAUTHBEARER; mechanism oauthbearer requires oauth_token_endpoint and oauth_client_id and oauth_client_secret.'
    )
  })

  it('applies the defaults the runtime does not apply', () => {
    const c = normaliseSettings({ brokers: 'b1:9092', username: 'alice', password: 'x' })
    expect({ ...c, brokers: c.brokers.map(formatBroker) }).toEqual({
      brokers: ['b1:9092'],
      clientId: 'segment-actions-kafka-producer',
      idempotent: true,
      mechanism: 'plain',
      username: 'alice',
      password: 'x',
      ssl: { enabled: true, rejectUnauthorized: true }
    })
  })

  it('keeps given values; booleans may arrive as strings', () => {
    const c = normaliseSettings({ ...base, clientId: ' me ', ssl_enabled: 'false', ssl_reject_unauthorized_ca: false })
    expect(c.clientId).toBe('me')
    expect(c.ssl).toEqual({ enabled: false, rejectUnauthorized: false })
  })

  it('mechanism none needs no credentials and drops irrelevant ones', () => {
    const c = normaliseSettings({ brokers: 'b:1', mechanism: 'none', username: 'u', password: 'p', ssl_enabled: false })
    expect(c.mechanism).toBe('none')
    expect(c.username).toBeUndefined()
    expect(c.password).toBeUndefined()
  })

  it('client-cert-auth needs cert and key, not a CA, and always uses TLS', () => {
    const c = normaliseSettings({
      brokers: 'b:1',
      mechanism: 'client-cert-auth',
      ssl_cert: pki.cert,
      ssl_key: pki.key,
      ssl_enabled: false
    })
    expect(c.ssl).toEqual({ enabled: true, rejectUnauthorized: true, cert: pki.cert, key: pki.key })
  })

  it.each([
    ['plain', { mechanism: 'plain' }, 'mechanism plain requires username and password'],
    ['scram-sha-256', { mechanism: 'scram-sha-256', username: 'u' }, 'mechanism scram-sha-256 requires password'],
    ['scram-sha-512', { mechanism: 'SCRAM-SHA-512', password: 'p' }, 'mechanism scram-sha-512 requires username'],
    ['client-cert-auth', { mechanism: 'client-cert-auth' }, 'mechanism client-cert-auth requires ssl_cert and ssl_key'],
    ['aws', { mechanism: 'aws' }, 'mechanism aws requires accessKeyId and secretAccessKey']
  ])('missing credentials for %s are one 400 naming every missing field', (_name, extra, message) => {
    const e = problemOf({ brokers: 'b:1', ...extra } as Settings)
    expect(e).toBeInstanceOf(IntegrationError)
    expect(e.status).toBe(400)
    expect(e.code).toBe('INVALID_SETTINGS')
    expect(e.message).toContain(message)
  })

  it('reports every problem at once and never echoes a secret', () => {
    const e = problemOf({
      brokers: 'nope',
      mechanism: 'kerberos',
      password: 'pw-S3cret!',
      ssl_enabled: 'maybe'
    } as Settings)
    expect(e.message).toContain('"nope" (missing port')
    expect(e.message).toContain(
      'mechanism "kerberos" is not one of plain, scram-sha-256, scram-sha-512, aws, oauthbearer, client-cert-auth, none'
    )
    expect(e.message).toContain('ssl_enabled must be true or false')
    expect(e.message).not.toContain('pw-S3cret!')
  })

  it('refuses certificates while TLS is off, and a certificate without its key', () => {
    expect(problemOf({ ...base, ssl_enabled: false, ssl_ca: 'X' }).message).toContain('ssl_enabled is false')
    expect(problemOf({ ...base, ssl_cert: 'X' }).message).toContain('ssl_cert and ssl_key must be given together')
  })
})

describe('settingsFields', () => {
  it('has every field of the issue with the documented types and defaults', () => {
    expect(Object.keys(settingsFields)).toEqual(
      expect.arrayContaining([
        'accessKeyId',
        'authorizationIdentity',
        'brokers',
        'clientId',
        'mechanism',
        'password',
        'secretAccessKey',
        'ssl_ca',
        'ssl_cert',
        'ssl_enabled',
        'ssl_key',
        'ssl_reject_unauthorized_ca',
        'username'
      ])
    )
    expect(settingsFields.clientId.default).toBe('segment-actions-kafka-producer')
    expect(settingsFields.mechanism.default).toBe('plain')
    expect(settingsFields.ssl_enabled.default).toBe(true)
    expect(settingsFields.ssl_reject_unauthorized_ca.default).toBe(true)
    for (const secret of ['password', 'secretAccessKey', 'ssl_key'])
      expect(settingsFields[secret].type).toBe('password')
    expect(settingsFields.mechanism.choices?.map((c) => c.value)).toEqual([
      'plain',
      'scram-sha-256',
      'scram-sha-512',
      'aws',
      'oauthbearer',
      'client-cert-auth',
      'none'
    ])
  })

  it('shows credentials only for the mechanisms that use them', () => {
    const shownFor = (field: string): unknown[] | undefined =>
      settingsFields[field].depends_on?.conditions.map((c) => c.value)
    expect(shownFor('username')).toEqual(['plain', 'scram-sha-256', 'scram-sha-512'])
    expect(shownFor('password')).toEqual(['plain', 'scram-sha-256', 'scram-sha-512'])
    expect(shownFor('accessKeyId')).toEqual(['aws'])
    expect(shownFor('secretAccessKey')).toEqual(['aws'])
    expect(shownFor('ssl_cert')).toEqual(['client-cert-auth'])
    expect(shownFor('ssl_key')).toEqual(['client-cert-auth'])
    for (const field of [
      'oauth_token_endpoint',
      'oauth_client_id',
      'oauth_client_secret',
      'oauth_scope',
      'oauth_extensions'
    ])
      expect(shownFor(field)).toEqual(['oauthbearer'])
    expect(settingsFields.oauth_client_secret.type).toBe('password')
    expect(settingsFields.ssl_ca.depends_on).toBeUndefined()
  })
})
