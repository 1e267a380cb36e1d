/**
 * The settings of mechanism `oauthbearer` ("OAuth / OIDC"): their fields (shown only for that
 * mechanism) and their validation into `OAuthSettings`. Every problem is named at once, with the field.
 */
import type { GlobalSetting } from '@segment/actions-core'
import { parseExtensions } from './extensions'
import type { ClientAuthMethod } from './token-endpoint'

export const OAUTH_MECHANISM = 'oauthbearer'
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['basic', 'form']

/** Validated OAuth settings. The secret is kept as typed: never log this object. */
export interface OAuthSettings {
  tokenEndpoint: string
  clientId: string
  clientSecret: string
  /** Space-separated, as the token request sends it. */
  scope?: string
  clientAuth: ClientAuthMethod
  /** SASL extensions, e.g. Confluent Cloud's logicalCluster and identityPoolId. */
  extensions: Record<string, string>
}

/** The settings as the runtime passes them (strings, maybe missing). */
export interface RawOAuthSettings {
  oauth_token_endpoint?: string
  oauth_client_id?: string
  oauth_client_secret?: string
  oauth_scope?: string
  oauth_extensions?: string
  oauth_client_auth?: string
}

const showForOAuth: GlobalSetting['depends_on'] = {
  match: 'all',
  conditions: [{ fieldKey: 'mechanism', operator: 'is', value: OAUTH_MECHANISM }]
}

export const oauthSettingsFields = {
  oauth_token_endpoint: {
    label: 'OAuth Token Endpoint',
    description:
      "The identity provider's token endpoint, where client-credentials tokens are requested, e.g. `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token` or `https://keycloak.example.com/realms/<realm>/protocol/openid-connect/token`.",
    type: 'string',
    depends_on: showForOAuth
  },
  oauth_client_id: {
    label: 'OAuth Client ID',
    description: 'The client (application) ID registered with the identity provider.',
    type: 'string',
    depends_on: showForOAuth
  },
  oauth_client_secret: {
    label: 'OAuth Client Secret',
    description: "The client's secret.",
    type: 'password',
    depends_on: showForOAuth
  },
  oauth_scope: {
    label: 'OAuth Scope',
    description:
      'Optional scope(s) to request, space-separated, e.g. `api://<app-id>/.default` for Microsoft Entra ID. Leave empty when the provider needs none.',
    type: 'string',
    depends_on: showForOAuth
  },
  oauth_extensions: {
    label: 'SASL Extensions',
    description:
      'Optional SASL OAUTHBEARER extensions as `key=value` pairs separated by commas, e.g. Confluent Cloud’s `logicalCluster=lkc-abc123,identityPoolId=pool-xyz`.',
    type: 'string',
    depends_on: showForOAuth
  },
  oauth_client_auth: {
    label: 'OAuth Client Authentication',
    description:
      'How the client ID and secret are sent to the token endpoint: `basic` (HTTP Basic header, the OAuth default) or `form` (in the request body, for providers that require client_secret_post).',
    type: 'string',
    default: 'basic',
    choices: [
      { label: 'HTTP Basic (client_secret_basic)', value: 'basic' },
      { label: 'Request body (client_secret_post)', value: 'form' }
    ],
    depends_on: showForOAuth
  }
} satisfies Record<keyof RawOAuthSettings, GlobalSetting>

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined

/** Why `raw` is not a usable token endpoint URL, or undefined when it is. */
function endpointProblem(raw: string): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return `oauth_token_endpoint "${raw}" is not a URL (expected https://host/path)`
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `oauth_token_endpoint must be an http or https URL, not ${url.protocol}`
  if (url.username || url.password)
    return 'oauth_token_endpoint must not contain credentials: use oauth_client_id and oauth_client_secret'
  if (url.hash) return 'oauth_token_endpoint must not contain a #fragment'
  return undefined
}

export interface ResolvedOAuth {
  settings: OAuthSettings
  /** Required fields left empty. */
  missing: string[]
  /** Other problems, each naming its field. */
  problems: string[]
}

export function resolveOAuthSettings(raw: RawOAuthSettings): ResolvedOAuth {
  const missing: string[] = []
  const problems: string[] = []
  const tokenEndpoint = text(raw.oauth_token_endpoint)
  const clientId = text(raw.oauth_client_id)
  // The secret is kept exactly as typed: only an empty value counts as missing.
  const clientSecret =
    typeof raw.oauth_client_secret === 'string' && raw.oauth_client_secret !== '' ? raw.oauth_client_secret : undefined
  if (!tokenEndpoint) missing.push('oauth_token_endpoint')
  else {
    const problem = endpointProblem(tokenEndpoint)
    if (problem) problems.push(problem)
  }
  if (!clientId) missing.push('oauth_client_id')
  if (!clientSecret) missing.push('oauth_client_secret')
  const clientAuthText = text(raw.oauth_client_auth)?.toLowerCase() ?? 'basic'
  const clientAuth = CLIENT_AUTH_METHODS.find((m) => m === clientAuthText)
  if (!clientAuth) problems.push(`oauth_client_auth "${text(raw.oauth_client_auth)}" is not one of basic, form`)
  const { extensions, problems: extensionProblems } = parseExtensions(raw.oauth_extensions)
  problems.push(...extensionProblems)
  const scope = text(raw.oauth_scope)?.split(/\s+/).join(' ')
  const settings: OAuthSettings = {
    tokenEndpoint: tokenEndpoint ?? '',
    clientId: clientId ?? '',
    clientSecret: clientSecret ?? '',
    clientAuth: clientAuth ?? 'basic',
    extensions
  }
  if (scope) settings.scope = scope
  return { settings, missing, problems }
}
