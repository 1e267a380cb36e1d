/**
 * SASL OAUTHBEARER (RFC 7628) for kafkajs with tokens from an OAuth client-credentials grant and
 * optional SASL extensions.
 *
 * kafkajs's own OAUTHBEARER authenticator takes a broker's rejection (an error challenge such as
 * `{"status":"invalid_token"}`) for success: the broker then closes the connection and the first
 * request fails with "Request is not valid given the current SASL state". This authenticator reads
 * the broker's reply and fails the login with a 401 that gives the broker's reason and, to help find
 * the cause, the token's audience, issuer and expiry (claims, never the token itself).
 */
import type { AuthenticationProviderArgs, Mechanism } from 'kafkajs'
import { ownError } from '../errors'
import { encodeExtensions } from '../oauth/extensions'
import type { OAuthSettings } from '../oauth/settings'
import { jwtClaims, type AccessToken } from '../oauth/token-endpoint'
import { sharedTokenSource, type TokenSource } from '../oauth/token-source'
import { errorChallenge } from './msk-iam'

const SOH = '\x01'

export interface OAuthBearerOptions {
  source: TokenSource
  extensions: Record<string, string>
  /** Named in errors and logs. */
  clientId: string
  tokenEndpoint: string
}

/** The SASL client's first message: GS2 header without authorization identity, token, extensions. */
export function initialResponse(token: string, extensions: Record<string, string>): Buffer {
  return lengthPrefixed(`n,,${SOH}auth=Bearer ${token}${SOH}${encodeExtensions(extensions)}${SOH}`)
}

/** SASL bytes as kafkajs sends them: with their int32 length first. */
function lengthPrefixed(text: string): Buffer {
  const body = Buffer.from(text, 'utf8')
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(body.length)
  return Buffer.concat([prefix, body])
}

/** The token's claims that explain a rejection; none of them is secret. */
export function describeToken(t: AccessToken): string {
  const claims = jwtClaims(t.value)
  const expires = new Date(t.expiresAt).toISOString()
  if (!claims) return `an opaque (non-JWT) token expiring ${expires}`
  const list = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : 'none')
  return `a token for audience ${list(claims.aud)}, issuer ${list(claims.iss)}, expiring ${expires}`
}

export function rejectedTokenError(status: string, t: AccessToken, o: OAuthBearerOptions): Error {
  const error = ownError(
    'OAUTH_TOKEN_REJECTED',
    `SASL OAUTHBEARER authentication failed: the broker rejected the token of client "${o.clientId}" from ${o.tokenEndpoint} (${status}). It was ${describeToken(t)}: check that the broker expects this audience and issuer and trusts the provider's signing keys.`
  )
  // Not retried by kafkajs: the same token would be rejected again; a new call fetches a new one.
  return Object.assign(error, { retriable: false })
}

/** How long to wait for the broker to close a connection whose SASL exchange was abandoned. */
const ABANDON_WAIT_MS = 2000

/**
 * Ends a SASL exchange the client cannot go on with (no token to send), so that the connection is
 * gone before the error reaches kafkajs. kafkajs has sent the SaslHandshake already: the broker waits
 * for SaslAuthenticate and would refuse any later handshake on this connection (ILLEGAL_SASL_STATE),
 * and kafkajs, on the error, reconnects at once within the same call. A lone %x01 fails the exchange;
 * the broker then closes the connection after a short delay (connection.failed.authentication.delay.ms),
 * which the second %x01 waits for: it is never answered, and fails when the connection closes.
 */
async function abandonExchange(saslAuthenticate: AuthenticationProviderArgs['saslAuthenticate']): Promise<void> {
  const soh = (): Promise<unknown> =>
    saslAuthenticate({ request: { encode: () => lengthPrefixed(SOH) } }).catch(() => undefined)
  await soh()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([soh(), new Promise((resolve) => (timer = setTimeout(resolve, ABANDON_WAIT_MS)))])
  clearTimeout(timer)
}

/** The kafkajs `sasl` option for OAUTHBEARER with client-credentials tokens. */
export function oauthBearerSasl(o: OAuthBearerOptions): Mechanism {
  const authenticationProvider = ({ host, port, logger, saslAuthenticate }: AuthenticationProviderArgs) => ({
    authenticate: async () => {
      let token: AccessToken
      try {
        token = await o.source.token()
      } catch (error) {
        await abandonExchange(saslAuthenticate)
        throw error
      }
      const reply = await saslAuthenticate<Buffer>({
        request: { encode: () => initialResponse(token.value, o.extensions) },
        response: { decode: (raw) => raw, parse: (data) => data }
      })
      const status = errorChallenge(reply ?? undefined)
      if (status === undefined) {
        logger.debug('SASL OAUTHBEARER authentication successful', { broker: `${host}:${port}`, clientId: o.clientId })
        return
      }
      o.source.invalidate(token.value)
      // The client answers an error challenge with a lone %x01; the broker then fails the exchange.
      await saslAuthenticate({ request: { encode: () => lengthPrefixed(SOH) } }).catch(() => undefined)
      throw rejectedTokenError(status, token, o)
    }
  })
  return { mechanism: 'oauthbearer', authenticationProvider }
}

/** The kafkajs `sasl` option of mechanism oauthbearer: tokens shared with every producer of the same client. */
export function oauthSasl(o: OAuthSettings): Mechanism {
  const client = {
    tokenEndpoint: o.tokenEndpoint,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    scope: o.scope,
    clientAuth: o.clientAuth
  }
  return oauthBearerSasl({
    source: sharedTokenSource(client),
    extensions: o.extensions,
    clientId: o.clientId,
    tokenEndpoint: o.tokenEndpoint
  })
}
