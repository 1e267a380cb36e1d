/**
 * One OAuth 2.0 client-credentials token request (RFC 6749 section 4.4) with Node's fetch, and the
 * mapping of every way it can fail to an actions-core error that names the endpoint or the client
 * (never the secret) and says whether retrying can help:
 *
 * - endpoint unreachable or failing (network error, 5xx)  -> RetryableError 503 (504 on timeout, 429 throttled)
 * - `invalid_client` / `unauthorized_client`, or a bare 401 -> InvalidAuthenticationError 401 naming the client ID
 * - `invalid_scope`                                        -> 400 naming the scope
 * - any other OAuth error, a redirect, a 4xx               -> 400 (the settings must change)
 * - an answer that is not JSON, or JSON without a token    -> 400 saying what came back
 *
 * Errors carry `retriable: false`: kafkajs would otherwise retry them for half a minute before
 * wrapping them; whether the call is worth retrying later is said by the actions-core error.
 */
import { ownError, type OwnCode } from '../errors'

/** How the client authenticates to the token endpoint (RFC 6749 section 2.3.1). */
export type ClientAuthMethod = 'basic' | 'form'

export interface OAuthClient {
  tokenEndpoint: string
  clientId: string
  clientSecret: string
  /** Space-separated scopes to request; none when undefined. */
  scope?: string
  /** `basic` (HTTP Basic, client_secret_basic) or `form` (in the body, client_secret_post). */
  clientAuth: ClientAuthMethod
}

export interface AccessToken {
  value: string
  /** Milliseconds since the epoch. */
  expiresAt: number
  /** Milliseconds from issue to expiry, as the endpoint gave them. */
  lifetimeMs: number
}

export const TOKEN_REQUEST_TIMEOUT_MS = 5000
/** Assumed when the answer has neither `expires_in` nor a JWT `exp`. */
export const DEFAULT_LIFETIME_MS = 300_000
const MAX_DETAIL = 300

type Fetch = typeof fetch

function notRetriedByKafkajs<E extends Error>(error: E): E {
  return Object.assign(error, { retriable: false })
}

/** One of our OAuth errors (its class and status come with the code), not retried by kafkajs. */
const fail = (code: OwnCode, message: string): Error => notRetriedByKafkajs(ownError(code, message))

/** Provider text shown to the user: one line, bounded, and never the secret. */
function clean(text: string, c: OAuthClient): string {
  let out = text.replace(/\p{Cc}+/gu, ' ').trim()
  if (c.clientSecret.length >= 4) out = out.split(c.clientSecret).join('[redacted]')
  return out.length > MAX_DETAIL ? `${out.slice(0, MAX_DETAIL)}…` : out
}

/** `application/x-www-form-urlencoded` encoding, as RFC 6749 asks for the Basic credentials too. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)

function request(c: OAuthClient): { headers: Record<string, string>; body: string } {
  const body = new URLSearchParams({ grant_type: 'client_credentials' })
  if (c.scope) body.set('scope', c.scope)
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json'
  }
  if (c.clientAuth === 'basic') {
    const pair = `${formEncode(c.clientId)}:${formEncode(c.clientSecret)}`
    headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`
  } else {
    body.set('client_id', c.clientId)
    body.set('client_secret', c.clientSecret)
  }
  return { headers, body: body.toString() }
}

/** The network-level reason of a failed fetch (undici puts it in `cause`). */
function networkReason(error: unknown): { code?: string; text: string } {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } }
  const cause = e?.cause
  const code = cause?.code ?? (e?.name === 'TimeoutError' ? 'ETIMEDOUT' : undefined)
  const text = cause?.message ?? e?.message ?? String(error)
  return { code, text }
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
])

/** The claims of a JWT, read without verifying it (only to explain a rejection or find the expiry). */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function lifetimeOf(body: Record<string, unknown>, token: string, now: number): number {
  const expiresIn = Number(body.expires_in)
  if (Number.isFinite(expiresIn) && expiresIn > 0) return expiresIn * 1000
  const exp = jwtClaims(token)?.exp
  if (typeof exp === 'number' && exp * 1000 > now) return exp * 1000 - now
  return DEFAULT_LIFETIME_MS
}

/** Requests a token; throws the actions-core error that says what is wrong (see the file comment). */
export async function requestToken(c: OAuthClient, fetchImpl: Fetch = fetch): Promise<AccessToken> {
  const where = `the token endpoint ${c.tokenEndpoint}`
  const { headers, body } = request(c)
  const started = Date.now()
  let response: Response
  try {
    response = await fetchImpl(c.tokenEndpoint, {
      method: 'POST',
      headers,
      body,
      // The secret goes to this URL only: a redirect is reported, not followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS)
    })
  } catch (error) {
    const { code, text } = networkReason(error)
    if (code && TIMEOUT_CODES.has(code))
      throw fail('OAUTH_TOKEN_ENDPOINT_TIMEOUT', `No answer from ${where} within ${TOKEN_REQUEST_TIMEOUT_MS / 1000} s.`)
    throw fail(
      'OAUTH_TOKEN_ENDPOINT_UNREACHABLE',
      `Cannot reach ${where}: ${clean(text, c)}${code ? ` (${code})` : ''}. Check oauth_token_endpoint and that the identity provider is up.`
    )
  }
  let text: string
  try {
    text = await response.text()
  } catch (error) {
    throw fail(
      'OAUTH_TOKEN_ENDPOINT_UNREACHABLE',
      `${cap(where)} closed the connection while answering: ${clean(networkReason(error).text, c)}.`
    )
  }
  const status = response.status
  const json = parseJson(text)
  if (status >= 200 && status < 300) {
    if (!json)
      throw fail(
        'OAUTH_TOKEN_RESPONSE_INVALID',
        `${cap(where)} answered HTTP ${status} with ${describeBody(response, text)}, not a JSON token response: check that oauth_token_endpoint is the token endpoint (it usually ends in /token).`
      )
    const token = json.access_token
    if (typeof token !== 'string' || token === '')
      throw fail(
        'OAUTH_TOKEN_MISSING',
        `${cap(where)} answered HTTP ${status} without an access_token (fields: ${Object.keys(json).join(', ') || 'none'}).`
      )
    const lifetimeMs = lifetimeOf(json, token, started)
    return { value: token, expiresAt: started + lifetimeMs, lifetimeMs }
  }
  const oauthError = typeof json?.error === 'string' ? json.error : undefined
  const description = typeof json?.error_description === 'string' ? json.error_description : undefined
  const said = oauthError
    ? `${clean(oauthError, c)}${description ? `: ${clean(description, c)}` : ''}`
    : `HTTP ${status}${text.trim() ? `, ${describeBody(response, text)}` : ''}`
  if (status === 429) throw fail('OAUTH_TOKEN_THROTTLED', `${cap(where)} is throttling token requests (${said}).`)
  if (status >= 500) throw fail('OAUTH_TOKEN_ENDPOINT_FAILED', `${cap(where)} failed (HTTP ${status}, ${said}).`)
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client' || (!oauthError && status === 401))
    throw fail(
      'OAUTH_CLIENT_REJECTED',
      `${cap(where)} refused client "${c.clientId}" (${said}): check oauth_client_id and oauth_client_secret, and that the client may use the client-credentials grant.`
    )
  if (oauthError === 'invalid_scope')
    throw fail(
      'OAUTH_INVALID_SCOPE',
      `${cap(where)} refused the scope "${c.scope ?? ''}" for client "${c.clientId}" (${said}): check oauth_scope.`
    )
  if (status >= 300 && status < 400)
    throw fail(
      'OAUTH_TOKEN_ENDPOINT_REDIRECT',
      `${cap(where)} redirects (HTTP ${status}${response.headers.get('location') ? ` to ${clean(response.headers.get('location') ?? '', c)}` : ''}): set oauth_token_endpoint to the token endpoint itself.`
    )
  throw fail(
    'OAUTH_TOKEN_REQUEST_REJECTED',
    `${cap(where)} refused the token request of client "${c.clientId}" (${said}).${status === 404 || status === 405 ? ' Check that oauth_token_endpoint is the token endpoint.' : ''}`
  )
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function describeBody(response: Response, text: string): string {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim()
  const size = Buffer.byteLength(text)
  return size === 0 ? 'an empty body' : `${type ? `${type}` : 'a body'} of ${size} bytes`
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
