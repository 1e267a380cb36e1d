/**
 * The one settings stage: the raw settings (fields in ./settings-fields.ts) validated, defaulted and
 * normalised into `ConnectionSettings`, the one shape the rest of the code reads.
 */
import { resolveRegion, roleToAssume } from './aws-iam'
import { formatBrokers, parseBrokers, type BrokerAddress } from './brokers'
import { PemError, SettingsError } from './errors'
import { resolveOAuthSettings, type OAuthSettings } from './oauth/settings'
import { checkKeyMatchesCert, normaliseCertificates, normalisePrivateKey } from './pem'
import { checkRegistrySettings, resolveRegistryPem, type RegistrySettings } from './schema/settings'
import { DEFAULTS, MECHANISMS, SASL_USER_MECHANISMS, type Mechanism, type Settings } from './settings-fields'

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
  /**
   * Idempotent delivery for acks-all sends (on unless the idempotent setting is false): see
   * kafka/producer-generations.ts. Always set by normaliseSettings; absent counts as on.
   */
  idempotent?: boolean
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
  c.idempotent = bool('idempotent', r.idempotent, DEFAULTS.idempotent, problems)
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
