import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tls from 'node:tls'
import { IntegrationError } from '@segment/actions-core'
import { connectionKey, describeConnection } from '../../src/connection-identity'
import { decodeHost, displayBroker, kafkaConfig } from '../../src/kafka/client-config'
import { normaliseCertificates, normalisePrivateKey } from '../../src/pem'
import { createCa } from '../../scripts/broker/pki'
import { fields } from '../../src/send/fields'
import { normaliseSettings, type ConnectionSettings } from '../../src/settings'

/** A throwaway PKI made with openssl: a self-signed RSA cert + its key in 3 encodings, an EC pair. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pem-test-'))
const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
createCa(dir, 'rsa', 'a') // rsa.crt + rsa.key (PKCS#8)
createCa(dir, 'other', 'b')
fs.renameSync(path.join(dir, 'rsa.key'), path.join(dir, 'rsa8.key'))
ssl('pkey', '-in', 'rsa8.key', '-traditional', '-out', 'rsa1.key')
ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.key')
const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8')
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const body = (pem: string): string => pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').trim()

describe('normaliseCertificates', () => {
  const cert = read('rsa.crt')
  const chain = read('rsa.crt') + read('other.crt')

  it.each([
    ['full PEM', cert],
    ['the body without BEGIN/END lines', body(cert)],
    ['the body on one line', body(cert).replace(/\n/g, '')],
    ['PEM whose newlines became spaces', cert.replace(/\n/g, ' ')],
    ['PEM with literal \\n sequences', cert.replace(/\n/g, '\\n')],
    ['PEM with CRLF and indentation', cert.replace(/\n/g, '\r\n   ')]
  ])('accepts %s', (_name, input) => {
    expect(normaliseCertificates(input, 'ssl_ca')).toEqual([cert])
  })

  it('keeps every certificate of a chain, in order', () => {
    expect(normaliseCertificates(chain, 'ssl_cert')).toEqual([read('rsa.crt'), read('other.crt')])
  })

  it('accepts a chain whose first BEGIN and last END lines were stripped (as the Segment docs advise)', () => {
    const stripped = chain.trim().split('\n').slice(1, -1).join('\n')
    expect(normaliseCertificates(stripped, 'ssl_cert')).toEqual([read('rsa.crt'), read('other.crt')])
  })

  it('accepts the concatenated bodies of a chain (base64 of both DER certificates)', () => {
    const der = Buffer.concat([body(read('rsa.crt')), body(read('other.crt'))].map((b) => Buffer.from(b, 'base64')))
    expect(normaliseCertificates(der.toString('base64'), 'ssl_ca')).toHaveLength(2)
  })

  it.each([
    ['text that is not base64', 'not a certificate!', 'ssl_ca is not a PEM certificate'],
    ['base64 that is not DER', Buffer.from('hello world').toString('base64'), 'ssl_ca is not a PEM certificate'],
    ['a key where a certificate belongs', read('rsa8.key'), 'ssl_ca contains a "PRIVATE KEY" block'],
    [
      'a damaged certificate',
      cert.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n'),
      'ssl_ca contains a certificate that cannot be parsed'
    ]
  ])('rejects %s with a 400 naming the field', (_name, input, message) => {
    let error: IntegrationError | undefined
    try {
      normaliseCertificates(input, 'ssl_ca')
    } catch (e) {
      error = e as IntegrationError
    }
    expect(error).toBeInstanceOf(IntegrationError)
    expect(error?.status).toBe(400)
    expect(error?.code).toBe('INVALID_PEM')
    expect(error?.message).toContain(message)
  })
})

describe('normalisePrivateKey', () => {
  it.each([
    ['PKCS#8', 'rsa8.key', 'PRIVATE KEY'],
    ['PKCS#1 (RSA)', 'rsa1.key', 'RSA PRIVATE KEY'],
    ['SEC1 (EC)', 'ec.key', 'EC PRIVATE KEY']
  ])('%s: full PEM and bare body both give the PEM with the right label', (_name, file, label) => {
    const pem = read(file)
    expect(pem).toContain(`BEGIN ${label}-----`)
    expect(normalisePrivateKey(pem, 'ssl_key')).toBe(pem)
    expect(normalisePrivateKey(body(pem), 'ssl_key')).toBe(pem)
    expect(normalisePrivateKey(body(pem).replace(/\n/g, ' '), 'ssl_key')).toBe(pem)
  })

  it('rejects an encrypted key, garbage and a certificate; never echoes the input', () => {
    const secret = body(read('rsa8.key')).slice(0, 40)
    for (const [input, message] of [
      ['-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----', 'encrypted'],
      [secret, 'is not a private key'],
      [read('rsa.crt'), 'contains no readable PEM private key block']
    ]) {
      expect(() => normalisePrivateKey(input, 'ssl_key')).toThrow(message)
      try {
        normalisePrivateKey(input, 'ssl_key')
      } catch (e) {
        expect((e as Error).message).not.toContain(secret)
      }
    }
  })
})

describe('kafkaConfig', () => {
  it('waits longer for an answer than the broker may wait for acknowledgements, so the broker answers first', () => {
    const config = kafkaConfig(settings({ mechanism: 'none', ssl_enabled: false }))
    expect(config.requestTimeout).toBe(35000)
    expect(config.requestTimeout).toBeGreaterThan(fields.request_timeout.maximum as number)
  })

  const settings = (extra: Record<string, unknown>): ConnectionSettings =>
    normaliseSettings({ brokers: 'b1:9092', ...extra } as never)

  it('mechanism none without TLS: no sasl, no ssl', () => {
    const config = kafkaConfig(settings({ mechanism: 'none', ssl_enabled: false }))
    expect(config).toMatchObject({ clientId: 'segment-actions-kafka-producer', brokers: ['b1:9092'] })
    expect(config.sasl).toBeUndefined()
    expect(config.ssl).toBeUndefined()
  })

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])('%s: SASL with username and password', (mechanism) => {
    const config = kafkaConfig(settings({ mechanism, username: 'u', password: 'p' }))
    expect(config.sasl).toEqual({ mechanism, username: 'u', password: 'p' })
    expect(config.ssl).toEqual({ rejectUnauthorized: true })
  })

  it('a custom CA is added to Node’s public roots; verification can be turned off', () => {
    const config = kafkaConfig(
      settings({ username: 'u', password: 'p', ssl_ca: body(read('rsa.crt')), ssl_reject_unauthorized_ca: false })
    )
    const ca = (config.ssl as tls.ConnectionOptions).ca as string[]
    expect(ca).toHaveLength(tls.rootCertificates.length + 1)
    expect(ca.at(-1)).toBe(read('rsa.crt'))
    expect((config.ssl as tls.ConnectionOptions).rejectUnauthorized).toBe(false)
  })

  it('client-cert-auth: cert chain and key normalised, no CA needed', () => {
    const config = kafkaConfig(
      settings({ mechanism: 'client-cert-auth', ssl_cert: body(read('rsa.crt')), ssl_key: body(read('rsa1.key')) })
    )
    expect(config.sasl).toBeUndefined()
    expect(config.ssl).toEqual({ rejectUnauthorized: true, cert: read('rsa.crt'), key: read('rsa1.key') })
  })

  it('a key that does not match the certificate is a 400 naming both fields', () => {
    expect(() =>
      kafkaConfig(settings({ mechanism: 'client-cert-auth', ssl_cert: read('rsa.crt'), ssl_key: read('other.key') }))
    ).toThrow('ssl_key does not belong to the certificate in ssl_cert')
  })

  it('an EC key given with an RSA certificate is caught too (OpenSSL would keep both without complaint)', () => {
    expect(() =>
      kafkaConfig(settings({ mechanism: 'client-cert-auth', ssl_cert: read('rsa.crt'), ssl_key: read('ec.key') }))
    ).toThrow(expect.objectContaining({ code: 'INVALID_PEM', status: 400 }))
  })

  it('IPv6 bootstrap brokers are encoded so kafkajs can split host:port, and decoded for display', () => {
    const config = kafkaConfig(settings({ brokers: '[::1]:9092,h:1', mechanism: 'none', ssl_enabled: false }))
    const brokers = config.brokers as string[]
    expect(brokers[0].split(':')).toHaveLength(2)
    expect(decodeHost(brokers[0].split(':')[0])).toBe('::1')
    expect(displayBroker(brokers[0])).toBe('[::1]:9092')
    expect(brokers[1]).toBe('h:1')
  })
})

describe('connectionKey and describeConnection', () => {
  const c = normaliseSettings({ brokers: 'b1:9092', username: 'alice', password: 'pw-S3cret!' })

  it('same settings give the same key; any change gives another; no secret in it', () => {
    const key = connectionKey(c)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(
      connectionKey(normaliseSettings({ brokers: ' b1:9092 ,b1:9092', username: 'alice', password: 'pw-S3cret!' }))
    ).toBe(key)
    expect(connectionKey({ ...c, password: 'other' })).not.toBe(key)
    expect(connectionKey({ ...c, ssl: { ...c.ssl, rejectUnauthorized: false } })).not.toBe(key)
    expect(key).not.toContain('pw-S3cret!')
  })

  it('describes a connection without secrets', () => {
    const text = describeConnection({ ...c, ssl: { ...c.ssl, key: 'KEY-MATERIAL', ca: 'CA' } })
    expect(text).toBe(
      'plain as "alice" to b1:9092 over TLS (custom CA, verified), client id "segment-actions-kafka-producer"'
    )
    expect(text).not.toContain('pw-S3cret!')
    expect(text).not.toContain('KEY-MATERIAL')
  })
})
