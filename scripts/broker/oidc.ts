/**
 * The broker's OIDC listener (SASL_OIDC): SASL_SSL with OAUTHBEARER, tokens validated by Kafka's own
 * OAuthBearerValidatorCallbackHandler (KIP-768) against the signing keys (JWKS) of the project's
 * identity provider (../idp), with the expected audience and issuer. No validator of our own: the
 * listener's principal builder (./oauth/OidcSessionLog.java) only logs each session's principal,
 * token expiry and SASL extensions for the tests.
 *
 * Kafka fetches the JWKS when the broker starts and exits when it cannot, so the listener is opened
 * only when the provider serves its keys at that moment: `auto` (the default) opens it when the
 * provider is ready and leaves it out otherwise; `true` requires it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { readInfo as readIdpInfo, ready as idpReady, type IdpClient, type IdpInfo } from '../idp/idp'

export const OIDC_LISTENER = 'SASL_OIDC'
const PREFIX = `listener.name.${OIDC_LISTENER.toLowerCase()}`
const PRINCIPAL_BUILDER = 'harness.OidcSessionLog'
/** A log line of the principal builder starts with this (tests look for it in the broker log). */
export const OIDC_SESSION_LOG = 'OIDC session authenticated:'

/** `auto`: open the listener when the identity provider is ready; `true`: fail without it; `false`: never. */
export type OidcMode = boolean | 'auto'

/** The broker facts' `oidc` entry: what a client of the OIDC listener needs. */
export interface OidcFacts {
  /** The listener's bootstrap address (TLS with the broker's CA, OAUTHBEARER). */
  bootstrap: string
  tokenEndpoint: string
  issuer: string
  /** The audience the broker expects in tokens. */
  audience: string
  /** An optional scope the clients with access may request. */
  scope: string
  /** The provider's test clients, the one with access first. */
  clients: IdpClient[]
  /** Tokens' lifetime: the broker ends sessions when their token expires. */
  accessTokenLifespanSeconds: number
  /** The broker log line prefix of each (re)authentication on the listener. */
  sessionLogPrefix: string
}

/** What the broker start decided, kept beside the broker's other files for a reused broker's facts. */
export interface OidcListener {
  port: number
  idp: IdpInfo
}

const factsFile = (dir: string): string => path.join(dir, 'oidc.json')

/**
 * Decides whether the broker starting in `dir` gets the OIDC listener on `port`, and remembers it
 * for `oidcFacts`. Throws (with `fail`) when `mode` is true and the provider is not ready.
 */
export async function prepareOidcListener(
  dir: string,
  port: number,
  mode: OidcMode,
  fail: (message: string) => Error
): Promise<OidcListener | undefined> {
  fs.rmSync(factsFile(dir), { force: true })
  if (mode === false) return undefined
  const idp = readIdpInfo()
  if (!idp || !(await idpReady(idp))) {
    if (mode === true)
      throw fail(
        'the OIDC listener needs the identity provider, which is not running: start it first (npm run idp:start)'
      )
    return undefined
  }
  const listener = { port, idp }
  fs.writeFileSync(factsFile(dir), JSON.stringify(listener, null, 2))
  return listener
}

/** The listener of the broker last started in `dir`, if it has one. */
export function oidcListenerOf(dir: string): OidcListener | undefined {
  try {
    return JSON.parse(fs.readFileSync(factsFile(dir), 'utf8')) as OidcListener
  } catch {
    return undefined
  }
}

/** Adds the listener to `server.properties` entries (in place): its address and its SASL settings. */
export function addOidcListener(
  props: Record<string, string | number>,
  o: OidcListener | undefined,
  host: string
): void {
  if (!o) return
  props.listeners = `${props.listeners},${OIDC_LISTENER}://${host}:${o.port}`
  props['advertised.listeners'] = `${props['advertised.listeners']},${OIDC_LISTENER}://${host}:${o.port}`
  props['listener.security.protocol.map'] = `${props['listener.security.protocol.map']},${OIDC_LISTENER}:SASL_SSL`
  Object.assign(props, {
    [`${PREFIX}.sasl.enabled.mechanisms`]: 'OAUTHBEARER',
    [`${PREFIX}.oauthbearer.sasl.server.callback.handler.class`]:
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
    [`${PREFIX}.oauthbearer.sasl.jaas.config`]:
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ;',
    // The session ends when its token expires (sessions need a positive max.reauth.ms at all).
    [`${PREFIX}.oauthbearer.connections.max.reauth.ms`]: 3600000,
    [`${PREFIX}.principal.builder.class`]: PRINCIPAL_BUILDER,
    'sasl.oauthbearer.jwks.endpoint.url': o.idp.jwksUri,
    'sasl.oauthbearer.expected.audience': o.idp.audience,
    'sasl.oauthbearer.expected.issuer': o.idp.issuer,
    // Keycloak's `sub` of a service account is a UUID; `azp` is the client ID, a readable principal.
    'sasl.oauthbearer.sub.claim.name': 'azp'
  })
}

/** JVM flags: Kafka 4 reaches only the OAuth URLs listed in this system property. */
export function oidcJvmFlags(o: OidcListener | undefined): string[] {
  if (!o) return []
  return [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${o.idp.jwksUri},${o.idp.tokenEndpoint}`]
}

/** The `oidc` entry of the broker facts, when the broker has the listener. */
export function oidcFacts(o: OidcListener | undefined, host: string): { oidc?: OidcFacts } {
  if (!o) return {}
  return {
    oidc: {
      bootstrap: `${host}:${o.port}`,
      tokenEndpoint: o.idp.tokenEndpoint,
      issuer: o.idp.issuer,
      audience: o.idp.audience,
      scope: o.idp.scope,
      clients: o.idp.clients,
      accessTokenLifespanSeconds: o.idp.accessTokenLifespanSeconds,
      sessionLogPrefix: OIDC_SESSION_LOG
    }
  }
}
