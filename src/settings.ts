/**
 * The destination's settings: the fields shown to the user (`authentication.fields`), and their
 * validation and normalisation into `ConnectionSettings`, the one shape the rest of the code reads.
 * The runtime does not apply the defaults of settings fields, so they are applied here.
 */
import type { GlobalSetting } from '@segment/actions-core'
import { resolveRegion, roleToAssume } from './aws-iam'
import { formatBrokers, parseBrokers, type BrokerAddress } from './brokers'
import { PemError, SettingsError } from './errors'
import { oauthSettingsFields, resolveOAuthSettings, type OAuthSettings } from './oauth/settings'
import { checkKeyMatchesCert, normaliseCertificates, normalisePrivateKey } from './pem'
import {
  checkRegistrySettings,
  registrySettingsFields,
  resolveRegistryPem,
  type RegistrySettings
} from './schema/settings'

export const MECHANISMS = [
  'plain',
  'scram-sha-256',
  'scram-sha-512',
  'aws',
  'oauthbearer',
  'client-cert-auth',
  'none'
] as const
export type Mechanism = (typeof MECHANISMS)[number]

export interface SslSettings {
  enabled: boolean
  /** Well-formed PEM, checked: the CA certificates, the client certificate chain, its private key. */
  ca?: string
  cert?: string
  key?: string
  rejectUnauthorized: boolean
}

/** Validated settings with defaults applied. Secrets are kept as given: never log this object. */
export interface ConnectionSettings {
  brokers: BrokerAddress[]
  clientId: string
  mechanism: Mechanism
  username?: string
  password?: string
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  authorizationIdentity?: string
  /** Mechanism aws: the signing region, from the MSK host names or the awsRegion setting. */
  region?: string
  /** Mechanism oauthbearer: the token endpoint, the client, scope and SASL extensions. */
  oauth?: OAuthSettings
  ssl: SslSettings
  /** The schema registry of the Avro, JSON Schema and Protobuf formats, when its URL is set. */
  registry?: RegistrySettings
  /** kafkajs's idempotent producer (acks all, one request in flight per connection). */
  idempotent?: boolean
}

export const DEFAULTS = {
  clientId: 'segment-actions-kafka-producer',
  mechanism: 'plain' as Mechanism,
  ssl_enabled: true,
  ssl_reject_unauthorized_ca: true,
  idempotent: false
}

const SASL_USER_MECHANISMS: Mechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512']

const showFor = (...mechanisms: Mechanism[]): GlobalSetting['depends_on'] => ({
  match: 'any',
  conditions: mechanisms.map((value) => ({ fieldKey: 'mechanism', operator: 'is' as const, value }))
})

/**
 * `clientId` and `mechanism` always have a value, but are not marked `required`: the runtime
 * rejects settings that lack a required field before the destination sees them, and it does not
 * fill in setting defaults, so a saved configuration without them would fail every event. They are
 * defaulted in normaliseSettings instead.
 */
const FIELDS = {
  brokers: {
    label: 'Brokers',
    description:
      'Bootstrap brokers as a comma-separated list of host:port, e.g. `broker-1.example.com:9092,broker-2.example.com:9092`. IPv6 addresses go in brackets: `[2001:db8::1]:9092`.',
    type: 'string',
    required: true
  },
  clientId: {
    label: 'Client ID',
    description: 'The client ID the producer announces to Kafka (visible in broker logs and quotas).',
    type: 'string',
    default: DEFAULTS.clientId
  },
  mechanism: {
    label: 'Authentication Mechanism',
    description:
      'How to authenticate. PLAIN and SCRAM use Username and Password; Client Certificate uses the SSL Client Certificate and Key; AWS IAM uses an access key; OAuth / OIDC gets tokens from an identity provider with a client ID and secret; None is for clusters without authentication.',
    type: 'string',
    default: DEFAULTS.mechanism,
    choices: [
      { label: 'PLAIN', value: 'plain' },
      { label: 'SCRAM-SHA-256', value: 'scram-sha-256' },
      { label: 'SCRAM-SHA-512', value: 'scram-sha-512' },
      { label: 'AWS IAM (MSK)', value: 'aws' },
      { label: 'OAuth / OIDC', value: 'oauthbearer' },
      { label: 'Client Certificate (mutual TLS)', value: 'client-cert-auth' },
      { label: 'None', value: 'none' }
    ]
  },
  username: {
    label: 'Username',
    description: 'The SASL username (PLAIN or SCRAM).',
    type: 'string',
    depends_on: showFor(...SASL_USER_MECHANISMS)
  },
  password: {
    label: 'Password',
    description: 'The SASL password (PLAIN or SCRAM).',
    type: 'password',
    depends_on: showFor(...SASL_USER_MECHANISMS)
  },
  accessKeyId: {
    label: 'AWS Access Key ID',
    description: 'The access key ID of the IAM identity allowed to write to the MSK cluster.',
    type: 'string',
    depends_on: showFor('aws')
  },
  secretAccessKey: {
    label: 'AWS Secret Key',
    description: 'The secret access key that goes with the access key ID.',
    type: 'password',
    depends_on: showFor('aws')
  },
  sessionToken: {
    label: 'AWS Session Token',
    description: 'Only for temporary credentials (an access key ID starting with ASIA): their session token.',
    type: 'password',
    depends_on: showFor('aws')
  },
  authorizationIdentity: {
    label: 'AWS Authorization Identity',
    description:
      'Optional IAM role ARN (`arn:aws:iam::<account>:role/<name>`) to assume with the access key before connecting.',
    type: 'string',
    depends_on: showFor('aws')
  },
  awsRegion: {
    label: 'AWS Region',
    description:
      'The AWS region of the MSK cluster, e.g. `us-east-1`. Needed only when the broker host names do not say it (MSK names look like `b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com`).',
    type: 'string',
    depends_on: showFor('aws')
  },
  ...oauthSettingsFields,
  ssl_enabled: {
    label: 'SSL Enabled',
    description:
      'Connect over TLS. Turn off only for brokers that listen in plaintext. Always on for Client Certificate.',
    type: 'boolean',
    default: DEFAULTS.ssl_enabled
  },
  ssl_ca: {
    label: 'SSL Certificate Authority',
    description:
      'PEM certificate(s) of the CA that signed the brokers’ certificates, if it is not a public CA. The full PEM, or its body without the BEGIN/END lines. It is added to the standard public CAs.',
    type: 'string'
  },
  ssl_cert: {
    label: 'SSL Client Certificate',
    description:
      'The client certificate in PEM (the full PEM or its body without the BEGIN/END lines); may include intermediate certificates after it.',
    type: 'string',
    depends_on: showFor('client-cert-auth')
  },
  ssl_key: {
    label: 'SSL Client Key',
    description:
      'The unencrypted private key of the client certificate in PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`); the full PEM or its body.',
    type: 'password',
    depends_on: showFor('client-cert-auth')
  },
  ssl_reject_unauthorized_ca: {
    label: 'SSL - Reject Unauthorized Certificate Authority',
    description: 'Verify the brokers’ certificates (CA and host name). Turning this off is unsafe outside of testing.',
    type: 'boolean',
    default: DEFAULTS.ssl_reject_unauthorized_ca
  },
  idempotent: {
    label: 'Idempotent Delivery',
    description:
      'Turn on the idempotent producer: the brokers drop the copies that retries inside the producer would write. Every request then waits for all in-sync replicas (acks all, whatever the mapping says) and one request is in flight per broker connection. Experimental in kafkajs: see the README before turning it on.',
    type: 'boolean',
    default: DEFAULTS.idempotent
  },
  // the schema registry of the Avro, JSON Schema and Protobuf formats (src/schema/)
  ...registrySettingsFields
} satisfies Record<string, GlobalSetting>

/** The settings fields as `authentication.fields`. */
export const settingsFields: Record<string, GlobalSetting> = FIELDS

/** The one list of setting names: the settings type, the cache key and the pool key derive from it. */
export type SettingName = keyof typeof FIELDS
export const SETTING_NAMES = Object.keys(FIELDS) as SettingName[]
/** The settings whose values are secrets (`password` fields): never logged, never in a key. */
export const SECRET_SETTINGS = SETTING_NAMES.filter((name) => FIELDS[name].type === 'password')

type Fields = typeof FIELDS
type ValueOf<F> = F extends { type: 'boolean' } ? boolean | string : string
type Required<K extends SettingName> = Fields[K] extends { required: true } ? K : never
type Optional<K extends SettingName> = Fields[K] extends { required: true } ? never : K

/** Settings as the runtime passes them: any field may be missing, and defaults are not applied. */
export type Settings = { [K in SettingName as Required<K>]: ValueOf<Fields[K]> } & {
  [K in SettingName as Optional<K>]?: ValueOf<Fields[K]>
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined

/** Secrets are kept exactly as typed (only an empty value counts as missing). */
const secret = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

function bool(name: string, value: unknown, fallback: boolean, problems: string[]): boolean {
  if (value === undefined || value === null || value === '') return fallback
  if (typeof value === 'boolean') return value
  if (value === 'true') return true
  if (value === 'false') return false
  problems.push(`${name} must be true or false`)
  return fallback
}

/**
 * The one settings stage: applies defaults and validates (one SettingsError naming every problem),
 * then turns the PEM fields into checked PEM (PemError naming the field) and resolves the AWS region
 * and role (400s naming the field). Every settings error is a 400 thrown here, before any connection;
 * building a client from the result cannot fail for a reason the user typed.
 */
export function normaliseSettings(raw: Settings): ConnectionSettings {
  const r = (raw ?? {}) as Partial<Settings>
  const problems: string[] = []
  const { brokers, problems: brokerProblems } = parseBrokers(r.brokers)
  problems.push(...brokerProblems)

  const mechanismText = text(r.mechanism)?.toLowerCase() ?? DEFAULTS.mechanism
  const mechanism = MECHANISMS.find((m) => m === mechanismText)
  if (!mechanism) problems.push(`mechanism "${text(r.mechanism)}" is not one of ${MECHANISMS.join(', ')}`)

  const c: ConnectionSettings = {
    brokers,
    clientId: text(r.clientId) ?? DEFAULTS.clientId,
    mechanism: mechanism ?? DEFAULTS.mechanism,
    ssl: {
      enabled: bool('ssl_enabled', r.ssl_enabled, DEFAULTS.ssl_enabled, problems),
      rejectUnauthorized: bool(
        'ssl_reject_unauthorized_ca',
        r.ssl_reject_unauthorized_ca,
        DEFAULTS.ssl_reject_unauthorized_ca,
        problems
      )
    }
  }
  // Set only when on, so settings without it normalise as they always did.
  if (bool('idempotent', r.idempotent, DEFAULTS.idempotent, problems)) c.idempotent = true
  const ca = text(r.ssl_ca)
  const cert = text(r.ssl_cert)
  const key = text(r.ssl_key)
  if (ca) c.ssl.ca = ca
  if (cert) c.ssl.cert = cert
  if (key) c.ssl.key = key

  const missing: string[] = []
  if (mechanism && SASL_USER_MECHANISMS.includes(mechanism)) {
    c.username = text(r.username)
    c.password = secret(r.password)
    if (!c.username) missing.push('username')
    if (!c.password) missing.push('password')
  } else if (mechanism === 'aws') {
    c.accessKeyId = text(r.accessKeyId)
    c.secretAccessKey = secret(r.secretAccessKey)
    const sessionToken = secret(r.sessionToken)
    if (sessionToken) c.sessionToken = sessionToken
    const identity = text(r.authorizationIdentity)
    if (identity) c.authorizationIdentity = identity
    const region = text(r.awsRegion)?.toLowerCase()
    if (region) c.region = region
    if (!c.accessKeyId) missing.push('accessKeyId')
    if (!c.secretAccessKey) missing.push('secretAccessKey')
  } else if (mechanism === 'oauthbearer') {
    const oauth = resolveOAuthSettings(r)
    c.oauth = oauth.settings
    missing.push(...oauth.missing)
    problems.push(...oauth.problems)
  } else if (mechanism === 'client-cert-auth') {
    // Client certificates are a TLS feature: TLS is on whatever ssl_enabled says.
    c.ssl.enabled = true
    if (!cert) missing.push('ssl_cert')
    if (!key) missing.push('ssl_key')
  }
  if (missing.length) problems.push(`mechanism ${mechanism} requires ${missing.join(' and ')}`)
  if (!c.ssl.enabled && (ca || cert || key) && mechanism !== 'client-cert-auth') {
    // Certificates given while TLS is off are almost always a forgotten switch; say so rather than ignore them.
    problems.push('ssl_ca, ssl_cert or ssl_key is set but ssl_enabled is false')
  }
  if ((cert && !key) || (key && !cert)) {
    if (mechanism !== 'client-cert-auth') problems.push('ssl_cert and ssl_key must be given together')
  }
  const registry = checkRegistrySettings(r, problems)
  if (registry) c.registry = registry
  if (problems.length) throw new SettingsError(problems)
  resolvePem(c.ssl)
  if (c.registry) resolveRegistryPem(c.registry)
  if (c.mechanism === 'aws') {
    c.region = resolveRegion(c)
    roleToAssume(c.authorizationIdentity)
  }
  return c
}

/** Replaces the PEM fields by checked, well-formed PEM; a client key must belong to its certificate. */
function resolvePem(ssl: SslSettings): void {
  if (ssl.ca) ssl.ca = normaliseCertificates(ssl.ca, 'ssl_ca').join('')
  if (ssl.cert) ssl.cert = normaliseCertificates(ssl.cert, 'ssl_cert').join('')
  if (ssl.key) ssl.key = normalisePrivateKey(ssl.key, 'ssl_key')
  if (ssl.cert && ssl.key && !checkKeyMatchesCert(ssl.cert, ssl.key))
    throw new PemError(
      'ssl_key',
      'does not belong to the certificate in ssl_cert (the first certificate must be the client certificate)'
    )
}

/** The brokers as messages name them. */
export const brokerList = (c: Pick<ConnectionSettings, 'brokers'>): string => formatBrokers(c.brokers)
