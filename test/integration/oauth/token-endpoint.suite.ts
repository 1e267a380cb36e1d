/**
 * Token requests against the project's Keycloak (the real provider), and against a small local HTTP
 * server for the answers a real provider gives only when misconfigured (HTML, no token, 5xx, silence).
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { IntegrationError, InvalidAuthenticationError, RetryableError } from '@segment/actions-core'
import { jwtClaims, requestToken, type OAuthClient } from '../../../src/oauth/token-endpoint'
import { client, oidc } from '../../helpers/oidc'

function keycloakClient(kind: Parameters<typeof client>[0] = 'access', extra: Partial<OAuthClient> = {}): OAuthClient {
  const c = client(kind)
  return {
    tokenEndpoint: oidc().tokenEndpoint,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    clientAuth: 'basic',
    ...extra
  }
}

const failure = (promise: Promise<unknown>): Promise<Error & { status?: number; code?: string }> =>
  promise.then(
    () => {
      throw new Error('expected the token request to fail')
    },
    (e: Error) => e
  )

describe('client-credentials token requests to Keycloak', () => {
  it.each(['basic', 'form'] as const)('gets a token with client authentication %s', async (clientAuth) => {
    const before = Date.now()
    const t = await requestToken(keycloakClient('access', { clientAuth }))
    const claims = jwtClaims(t.value)
    expect(claims).toMatchObject({ aud: oidc().audience, iss: oidc().issuer, azp: client('access').clientId })
    // expires_in counts whole seconds left at the moment Keycloak answers: one second short when a second
    // ticks between issuing the token and answering (seen once in a CI run: 29 for a 30 s lifespan).
    const lifespanMs = oidc().accessTokenLifespanSeconds * 1000
    expect([lifespanMs - 1000, lifespanMs]).toContain(t.lifetimeMs)
    expect(t.expiresAt).toBeGreaterThanOrEqual(before + t.lifetimeMs)
  })

  it('asks for the scope given', async () => {
    const t = await requestToken(keycloakClient('access', { scope: oidc().scope }))
    expect(String(jwtClaims(t.value)?.scope).split(' ')).toContain(oidc().scope)
  })

  it('wrong secret: 401 naming the client, never the secret', async () => {
    const c = keycloakClient('access', { clientSecret: 'not-the-secret-4711' })
    const e = await failure(requestToken(c))
    expect(e).toBeInstanceOf(InvalidAuthenticationError)
    expect(e).toMatchObject({ status: 401, code: 'OAUTH_CLIENT_REJECTED', retriable: false })
    expect(e.message).toContain(`refused client "${c.clientId}"`)
    expect(e.message).toContain('Invalid client or Invalid client credentials')
    expect(e.message).not.toContain('not-the-secret-4711')
  })

  it('a client not allowed the client-credentials grant: 401 with its own reason', async () => {
    const c = keycloakClient('no-access')
    const e = await failure(requestToken(c))
    expect(e).toBeInstanceOf(InvalidAuthenticationError)
    expect(e.message).toContain(
      `refused client "${c.clientId}" (unauthorized_client: Client not enabled to retrieve service account)`
    )
    expect(e.message).not.toContain(c.clientSecret)
  })

  it('an unknown scope: 400 naming it', async () => {
    const e = await failure(requestToken(keycloakClient('access', { scope: 'no-such-scope' })))
    expect(e).toBeInstanceOf(IntegrationError)
    expect(e).toMatchObject({ status: 400, code: 'OAUTH_INVALID_SCOPE' })
    expect(e.message).toContain('refused the scope "no-such-scope"')
  })

  it('a URL that is not a token endpoint (unknown realm): 400 saying so', async () => {
    const endpoint = oidc().tokenEndpoint.replace('/realms/kafka/', '/realms/no-such-realm/')
    const e = await failure(requestToken(keycloakClient('access', { tokenEndpoint: endpoint })))
    expect(e).toMatchObject({ status: 400, code: 'OAUTH_TOKEN_REQUEST_REJECTED' })
    expect(e.message).toContain('Realm does not exist')
    expect(e.message).toContain('Check that oauth_token_endpoint is the token endpoint')
  })

  it('endpoint unreachable: retryable 503 naming the endpoint', async () => {
    const closed = await closedPort()
    const endpoint = `http://127.0.0.1:${closed}/realms/kafka/protocol/openid-connect/token`
    const e = await failure(requestToken(keycloakClient('access', { tokenEndpoint: endpoint })))
    expect(e).toBeInstanceOf(RetryableError)
    expect(e).toMatchObject({ status: 503, code: 'OAUTH_TOKEN_ENDPOINT_UNREACHABLE', retriable: false })
    expect(e.message).toContain(`Cannot reach the token endpoint ${endpoint}`)
    expect(e.message).toContain('ECONNREFUSED')
  })
})

describe('token endpoint answers a real provider gives only when misconfigured', () => {
  let server: http.Server
  let base: string
  let handler: http.RequestListener = () => undefined
  const c = (path: string): OAuthClient => ({
    tokenEndpoint: `${base}${path}`,
    clientId: 'svc',
    clientSecret: 'very-secret-value',
    clientAuth: 'basic'
  })

  beforeAll(async () => {
    server = http.createServer((req, res) => handler(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const answer = (status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
    handler = (_req, res) => res.writeHead(status, { 'content-type': type, ...headers }).end(body)
  }

  it('sends the client-credentials grant with the client in a Basic header, form-encoded', async () => {
    let seen: { auth?: string; body: string } = { body: '' }
    handler = (req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        seen = { auth: req.headers.authorization, body }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"opaque","expires_in":"60"}')
      })
    }
    const t = await requestToken({ ...c('/token'), clientId: 'a b', clientSecret: 'p+w/d=', scope: 'x y' })
    expect(seen.body).toBe('grant_type=client_credentials&scope=x+y')
    expect(Buffer.from(String(seen.auth).replace('Basic ', ''), 'base64').toString()).toBe('a+b:p%2Bw%2Fd%3D')
    expect(t).toMatchObject({ value: 'opaque', lifetimeMs: 60_000 })
  })

  it('an HTML page with HTTP 200: a clear 400, not a token', async () => {
    answer(200, 'text/html', '<html>login</html>')
    const e = await failure(requestToken(c('/')))
    expect(e).toMatchObject({ status: 400, code: 'OAUTH_TOKEN_RESPONSE_INVALID' })
    expect(e.message).toContain('answered HTTP 200 with text/html of 18 bytes, not a JSON token response')
  })

  it('JSON without access_token: a clear 400 listing the fields', async () => {
    answer(200, 'application/json', '{"token_type":"Bearer","expires_in":60}')
    const e = await failure(requestToken(c('/token')))
    expect(e).toMatchObject({ status: 400, code: 'OAUTH_TOKEN_MISSING' })
    expect(e.message).toContain('without an access_token (fields: token_type, expires_in)')
  })

  it('a 5xx HTML error page: retryable 503', async () => {
    answer(502, 'text/html', '<h1>Bad Gateway</h1>')
    const e = await failure(requestToken(c('/token')))
    expect(e).toBeInstanceOf(RetryableError)
    expect(e).toMatchObject({ status: 503, code: 'OAUTH_TOKEN_ENDPOINT_FAILED' })
  })

  it('throttled: retryable 429', async () => {
    answer(429, 'application/json', '{"error":"slow_down"}')
    expect(await failure(requestToken(c('/token')))).toMatchObject({ status: 429, code: 'OAUTH_TOKEN_THROTTLED' })
  })

  it('a redirect is reported, not followed with the secret', async () => {
    answer(302, 'text/plain', '', { location: 'https://elsewhere.example.com/token' })
    const e = await failure(requestToken(c('/token')))
    expect(e).toMatchObject({ status: 400, code: 'OAUTH_TOKEN_ENDPOINT_REDIRECT' })
    expect(e.message).toContain('to https://elsewhere.example.com/token')
  })

  it('an echoed secret is cut out of the provider text', async () => {
    answer(400, 'application/json', '{"error":"invalid_request","error_description":"bad very-secret-value"}')
    const e = await failure(requestToken(c('/token')))
    expect(e.message).toContain('bad [redacted]')
    expect(e.message).not.toContain('very-secret-value')
  })

  it('no answer: retryable 504 after the request timeout', async () => {
    handler = () => undefined // accepts, never answers
    expect(await failure(requestToken(c('/token')))).toMatchObject({
      status: 504,
      code: 'OAUTH_TOKEN_ENDPOINT_TIMEOUT'
    })
  })
})

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise((resolve) => s.close(resolve))
  return port
}
