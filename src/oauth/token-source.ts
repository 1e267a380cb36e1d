/**
 * Access tokens of one OAuth client, cached and refreshed before they expire: every SASL
 * (re)authentication asks for a token, and gets the cached one while it has enough life left.
 *
 * kafkajs re-authenticates a connection 10 s before the session the broker granted ends, and the
 * broker ends the session when the token expires; a token is therefore replaced once less than a
 * fifth of its lifetime, or less than 15 s, is left, so a re-authentication always presents a token
 * with most of its life ahead. Callers waiting at the same time (the connections of a producer, or
 * several producers of the same client) share one request. A failed request is not cached; while
 * the cached token is still valid for more than 12 s it is handed out instead of the failure, so a
 * short outage of the identity provider goes unnoticed.
 *
 * Sources are shared per client (endpoint, client ID, secret, scope, authentication method) through
 * a bounded LRU keyed by a salted digest, so no secret is kept in a key.
 */
import { LRUCache } from 'lru-cache'
import { keyedDigest } from '../connection-identity'
import { requestToken, type AccessToken, type OAuthClient } from './token-endpoint'

export const REFRESH_FRACTION = 0.2
export const REFRESH_MIN_REMAINING_MS = 15_000
/**
 * A token this close to expiry is not handed out even when no fresh one can be had: the session it
 * opens would be shorter than kafkajs's re-authentication threshold (10 s), kafkajs would start a new
 * authentication right after this one, and the broker refuses that (ILLEGAL_SASL_STATE).
 */
export const STALE_MIN_REMAINING_MS = 12_000

export interface TokenSource {
  /** A token with enough life left: the cached one, or a fresh one. */
  token(): Promise<AccessToken>
  /** Forgets the cached token if it is `value` (the broker rejected it). */
  invalidate(value: string): void
}

export interface TokenSourceOptions {
  request?: (c: OAuthClient) => Promise<AccessToken>
  now?: () => number
}

/** Whether a token may still be handed out at `now`. */
export function fresh(t: AccessToken, now: number): boolean {
  return t.expiresAt - now > Math.max(REFRESH_MIN_REMAINING_MS, t.lifetimeMs * REFRESH_FRACTION)
}

export function createTokenSource(client: OAuthClient, options: TokenSourceOptions = {}): TokenSource {
  const request = options.request ?? ((c: OAuthClient) => requestToken(c))
  const now = options.now ?? Date.now
  let current: AccessToken | undefined
  let pending: Promise<AccessToken> | undefined
  return {
    token() {
      if (current && fresh(current, now())) return Promise.resolve(current)
      pending ??= request(client)
        .then((t) => (current = t))
        .catch((error: unknown) => {
          const stale = current
          if (stale && stale.expiresAt - now() > STALE_MIN_REMAINING_MS) return stale
          throw error
        })
        .finally(() => {
          pending = undefined
        })
      return pending
    },
    invalidate(value) {
      if (current?.value === value) current = undefined
    }
  }
}

const SHARED_MAX = 500
const shared = new LRUCache<string, TokenSource>({ max: SHARED_MAX })

const clientKey = (c: OAuthClient): string =>
  keyedDigest(JSON.stringify(['oauth', c.tokenEndpoint, c.clientId, c.clientSecret, c.scope ?? null, c.clientAuth]))

/** The token source of a client, shared by every producer and admin client that uses it. */
export function sharedTokenSource(client: OAuthClient): TokenSource {
  const key = clientKey(client)
  let source = shared.get(key)
  if (!source) {
    source = createTokenSource(client)
    shared.set(key, source)
  }
  return source
}

/** Forgets every shared source (tests). */
export function clearSharedTokenSources(): void {
  shared.clear()
}
