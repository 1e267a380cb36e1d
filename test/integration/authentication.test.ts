/**
 * The connection test (`testAuthentication`) against the project's broker: every mechanism on its
 * listener, PEM in every accepted form, and the message of every failure the issue lists.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tls from 'node:tls'
import {
  createTestIntegration,
  IntegrationError,
  InvalidAuthenticationError,
  RetryableError
} from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/settings-fields'
import { testConnection } from '../../src/topics'
import { broker, pem } from '../helpers/kafka'
import { listenersOf, plaintextAt } from '../helpers/settings'
import { until } from '../helpers/wait'

const b = broker()
const alice = b.users[0]
const body = (text: string): string => text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').trim()
const integration = createTestIntegration(destination)

const listeners = listenersOf(b)
const sasl = (mechanism: string, extra: Partial<Settings> = {}): Settings => listeners.sasl(mechanism, extra)
const mtls = (extra: Partial<Settings> = {}): Settings => listeners.mtls(extra)

/** The error testConnection throws, for class, status, code and message checks. */
async function failure(settings: Settings): Promise<Error & { status?: number; code?: string }> {
  try {
    await testConnection(settings)
  } catch (e) {
    return e as Error & { status?: number; code?: string }
  }
  throw new Error('expected the connection test to fail')
}

describe('testAuthentication succeeds', () => {
  it.each<[string, Settings]>([
    ['none on PLAINTEXT', listeners.plaintext()],
    ['PLAIN on SASL_PLAINTEXT', sasl('plain')],
    ['SCRAM-SHA-256 on SASL_PLAINTEXT', sasl('scram-sha-256')],
    ['SCRAM-SHA-512 on SASL_PLAINTEXT', sasl('scram-sha-512')],
    ['mTLS with full PEM (PKCS#8 key)', mtls()],
    [
      'mTLS with PEM bodies only',
      mtls({ ssl_ca: body(pem('ca')), ssl_cert: body(pem('clientCert')), ssl_key: body(pem('clientKey')) })
    ],
    ['mTLS with a PKCS#1 key (full and body)', mtls({ ssl_key: pem('clientKeyPkcs1') })],
    ['mTLS with a PKCS#1 key body', mtls({ ssl_key: body(pem('clientKeyPkcs1')) })],
    ['mTLS with an EC certificate and SEC1 key', mtls({ ssl_cert: pem('clientEcCert'), ssl_key: pem('clientEcKey') })],
    ['mTLS with a SEC1 key body', mtls({ ssl_cert: body(pem('clientEcCert')), ssl_key: body(pem('clientEcKey')) })],
    [
      'mTLS with a chain (leaf + intermediate)',
      mtls({ ssl_cert: pem('clientChainCert'), ssl_key: pem('clientChainKey') })
    ],
    [
      'mTLS with a chain given as bodies (first/last lines stripped)',
      mtls({
        ssl_cert: pem('clientChainCert').trim().split('\n').slice(1, -1).join('\n'),
        ssl_key: body(pem('clientChainKey'))
      })
    ],
    ['mTLS without a CA, verification off', mtls({ ssl_ca: undefined, ssl_reject_unauthorized_ca: false })],
    [
      'PLAIN on SASL_SSL with the CA',
      sasl('plain', { brokers: b.bootstrap.saslSsl, ssl_enabled: true, ssl_ca: pem('ca') })
    ],
    [
      'SCRAM-SHA-512 on SASL_SSL with the CA body',
      sasl('scram-sha-512', { brokers: b.bootstrap.saslSsl, ssl_enabled: true, ssl_ca: body(pem('ca')) })
    ],
    [
      'SASL_SSL without a CA, verification off',
      sasl('scram-sha-256', { brokers: b.bootstrap.saslSsl, ssl_enabled: true, ssl_reject_unauthorized_ca: false })
    ],
    [
      'brokers with spaces, empty items and duplicates',
      plaintextAt(` ${b.bootstrap.plaintext} ,, ${b.bootstrap.plaintext}`)
    ]
  ])('%s', async (_name, settings) => {
    // The runtime validates required settings without applying defaults: pass what the UI would save.
    const saved = { clientId: 'auth-test', mechanism: 'plain', ...settings }
    await expect(integration.testAuthentication(saved)).resolves.toBeUndefined()
  })

  it('applies the defaults itself (mechanism plain, TLS on, client id) when settings lack them', async () => {
    const settings = {
      brokers: b.bootstrap.saslSsl,
      username: alice.username,
      password: alice.password,
      ssl_ca: pem('ca')
    }
    await expect(testConnection(settings)).resolves.toBeUndefined()
  })
})

describe('testAuthentication fails with a message in the user’s terms', () => {
  const SECRET = 'Wr0ng-pa55word-7731'

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])(
    'wrong password (%s): mechanism and user named, never the password',
    async (mechanism) => {
      const e = await failure(sasl(mechanism, { password: SECRET }))
      expect(e).toBeInstanceOf(InvalidAuthenticationError)
      expect(e.status).toBe(401)
      expect(e.code).toBe('KafkaJSSASLAuthenticationError')
      expect(e.message).toContain(`Authentication failed for ${mechanism.toUpperCase()} as user "alice"`)
      expect(e.message).not.toContain(SECRET)
      // What the runtime shows: actions-core wraps it in "Credentials are invalid".
      const saved = { clientId: 'auth-test', ...sasl(mechanism, { password: SECRET }) }
      await expect(integration.testAuthentication(saved)).rejects.toThrow(/Credentials are invalid: .*as user "alice"/)
    }
  )

  it('missing CA with verification on: unknown CA; succeeds once verification is off', async () => {
    const settings = sasl('plain', { brokers: b.bootstrap.saslSsl, ssl_enabled: true, password: SECRET })
    const e = await failure(settings)
    expect(e).toBeInstanceOf(IntegrationError)
    expect(e).toMatchObject({ status: 400, code: 'SELF_SIGNED_CERT_IN_CHAIN' })
    expect(e.message).toContain(`TLS verification of broker ${b.bootstrap.saslSsl} failed`)
    expect(e.message).toContain('ssl_ca')
    expect(e.message).not.toContain(SECRET)
    await expect(
      testConnection({ ...settings, password: alice.password, ssl_reject_unauthorized_ca: false })
    ).resolves.toBeUndefined()
  })

  it('a CA that did not sign the broker certificate', async () => {
    const e = await failure(mtls({ ssl_ca: pem('otherCa') }))
    expect(e).toMatchObject({ status: 400, code: 'SELF_SIGNED_CERT_IN_CHAIN' })
    expect(e.message).toContain('the one given did not sign it')
  })

  it('an unreachable host is named', async () => {
    const e = await failure(plaintextAt('127.0.0.1:1'))
    expect(e).toBeInstanceOf(RetryableError)
    expect(e.code).toBe('ECONNREFUSED')
    expect(e.message).toContain('Cannot reach broker 127.0.0.1:1')
  })

  it('an IPv6 broker address is used and named as written', async () => {
    const e = await failure(plaintextAt('[::1]:1'))
    expect(e.message).toMatch(/Cannot reach broker \[::1\]:1: connect (ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH)/)
  })

  it('a host that does not resolve is named', async () => {
    const e = await failure(plaintextAt('kafka.does-not-exist.invalid:9092'))
    expect(e.message).toContain('kafka.does-not-exist.invalid:9092')
    expect(e.code).toMatch(/ENOTFOUND|EAI_AGAIN/)
  })

  it('SASL sent to a listener without SASL', async () => {
    const e = await failure(sasl('plain', { brokers: b.bootstrap.plaintext, password: SECRET }))
    expect(e).toMatchObject({ status: 401, code: 'ILLEGAL_SASL_STATE' })
    expect(e.message).toContain('does not use SASL')
    expect(e.message).not.toContain(SECRET)
  })

  it('no SASL sent to a SASL listener', async () => {
    const e = await failure(plaintextAt(b.bootstrap.sasl))
    expect(e).toMatchObject({ status: 401, code: 'SASL_REQUIRED' })
    expect(e.message).toContain(`The broker at ${b.bootstrap.sasl} requires SASL authentication`)
  })

  it('TLS spoken to a plaintext port', async () => {
    const e = await failure({ brokers: b.bootstrap.plaintext, mechanism: 'none', ssl_enabled: true })
    expect(e).toMatchObject({ status: 400, code: 'TLS_NOT_SUPPORTED' })
    expect(e.message).toContain(
      `The broker at ${b.bootstrap.plaintext} speaks plaintext, not TLS: turn ssl_enabled off`
    )
  })

  it.each([
    ['SSL', b.bootstrap.ssl, 'none'],
    ['SASL_SSL', b.bootstrap.saslSsl, 'plain']
  ])('plaintext spoken to a TLS port (%s)', async (_name, brokers, mechanism) => {
    const e = await failure(sasl(mechanism, { brokers, ssl_enabled: false, password: SECRET }))
    expect(e).toMatchObject({ status: 400, code: 'TLS_REQUIRED' })
    expect(e.message).toContain(`The broker at ${brokers} expects TLS but ssl_enabled is off`)
    expect(e.message).not.toContain(SECRET)
  })

  it('TLS without a client certificate on the mTLS listener', async () => {
    const e = await failure(sasl('plain', { brokers: b.bootstrap.ssl, ssl_enabled: true, ssl_ca: pem('ca') }))
    // Depending on TLS 1.3 timing the broker's refusal shows as an alert or as a closed connection.
    expect(e.status).toBeGreaterThanOrEqual(400)
    expect(e.message).toMatch(/rejected the TLS client certificate|closed the connection|does not use SASL/)
  })

  it('invalid settings are one 400 naming every field, before any connection', async () => {
    const e = await failure({ brokers: 'x, y:1', mechanism: 'plain', ssl_key: 'not a key' } as Settings)
    expect(e).toMatchObject({ status: 400, code: 'INVALID_SETTINGS' })
    expect(e.message).toContain('"x" (missing port')
    expect(e.message).toContain('requires username and password')
  })

  it('a private key that is not one is a 400 naming ssl_key, without its content', async () => {
    const e = await failure(mtls({ ssl_key: 'c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NQ==' }))
    expect(e).toMatchObject({ status: 400, code: 'INVALID_PEM' })
    expect(e.message).toContain('ssl_key')
    expect(e.message).not.toContain('c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NQ')
  })
})

describe('TLS host name mismatch', () => {
  // A TLS server whose certificate (signed by the "other" CA) names only wrong.example: connecting to
  // it by IP fails host name verification after the chain verified.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mismatch-'))
  let server: tls.Server
  let port = 0

  beforeAll(async () => {
    const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
    fs.writeFileSync(path.join(dir, 'ext'), 'subjectAltName=DNS:wrong.example\n')
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=wrong.example')
    run(
      'x509',
      '-req',
      '-in',
      'srv.csr',
      '-CA',
      b.pki.otherCa,
      '-CAkey',
      b.pki.otherCaKey,
      '-CAcreateserial',
      '-out',
      'srv.crt',
      '-days',
      '2',
      '-extfile',
      'ext'
    )
    server = tls.createServer({
      key: fs.readFileSync(path.join(dir, 'srv.key')),
      cert: fs.readFileSync(path.join(dir, 'srv.crt'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('names the broker and what the certificate does not list', async () => {
    const e = await failure({ brokers: `127.0.0.1:${port}`, mechanism: 'none', ssl_ca: pem('otherCa') })
    expect(e).toMatchObject({ status: 400, code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
    expect(e.message).toContain(
      `TLS verification of broker 127.0.0.1:${port} failed: the host name is not in its certificate`
    )
    expect(e.message).toContain("IP: 127.0.0.1 is not in the cert's list")
  })
})

describe('the 10 s cap', () => {
  // A port that accepts connections and never answers: kafkajs would wait 30 s for its first request.
  let server: net.Server
  let port = 0
  const sockets: net.Socket[] = []
  beforeAll(async () => {
    server = net.createServer((s) => {
      sockets.push(s)
      s.resume() // read (and ignore) the requests, so the client's close is seen
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as net.AddressInfo).port
  })
  afterAll(async () => {
    sockets.forEach((s) => s.destroy())
    await new Promise((resolve) => server.close(resolve))
  })

  it('gives up after 10 s with a retryable timeout naming the brokers, and closes the connection', async () => {
    const started = Date.now()
    const e = await failure(plaintextAt(`127.0.0.1:${port}`))
    const elapsed = Date.now() - started
    expect(e).toBeInstanceOf(RetryableError)
    expect(e).toMatchObject({ status: 504, code: 'CONNECTION_TIMEOUT' })
    expect(e.message).toBe(`No answer from brokers 127.0.0.1:${port} within 10 s.`)
    expect(elapsed).toBeGreaterThanOrEqual(10_000)
    expect(elapsed).toBeLessThan(12_000)
    await until(() => sockets.length > 0 && sockets.every((s) => s.destroyed))
    expect(sockets.length).toBeGreaterThan(0)
    expect(sockets.every((s) => s.destroyed)).toBe(true)
  }, 20_000)
})
