/**
 * Mechanism `oauthbearer`: SASL OAUTHBEARER with tokens from an OIDC / OAuth 2.0 client-credentials
 * grant (Confluent Cloud, Aiven, Strimzi / Keycloak, Apache Kafka's own OIDC validation). The rest of
 * the package sees only these functions.
 */
import type { Mechanism } from 'kafkajs'
import { oauthBearerSasl } from './sasl'
import type { OAuthSettings } from './settings'
import { sharedTokenSource } from './token-source'

export { oauthSettingsFields, resolveOAuthSettings, OAUTH_MECHANISM } from './settings'
export type { OAuthSettings, RawOAuthSettings } from './settings'

/** The kafkajs `sasl` option: tokens shared with every other producer of the same client. */
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

/** e.g. `oauthbearer as client "svc" (token endpoint https://idp/token)`. No secret. */
export function describeOAuth(o: OAuthSettings): string {
  return `oauthbearer as client "${o.clientId}" (token endpoint ${o.tokenEndpoint})`
}
