/**
 * AWS IAM authentication as Amazon MSK does it: SASL OAUTHBEARER with a token that is a SigV4
 * presigned `kafka-cluster:Connect` request, made by AWS's own signer (aws-msk-iam-sasl-signer-js).
 *
 * - Credentials: the access key (and optional session token) from the settings; when
 *   authorizationIdentity is a role ARN, that role is assumed through STS first, and the temporary
 *   credentials are kept until shortly before they expire.
 * - Region: from the MSK broker host names, else the awsRegion setting.
 * - Every (re)authentication gets a freshly signed token (15 minutes). kafkajs re-authenticates
 *   before the session the broker granted ends, and the broker ends sessions when their token expires.
 *
 * The SASL OAUTHBEARER exchange itself (a kafkajs authenticator) is in kafka/msk-iam.ts.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers'
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js'
import type { BrokerAddress } from './brokers'
import { ownError, type OwnCode } from './errors'

/** The settings AWS IAM reads (a part of ConnectionSettings). */
export interface AwsIamSettings {
  brokers: readonly BrokerAddress[]
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  authorizationIdentity?: string
  /** The awsRegion setting, or the region already resolved from it. */
  region?: string
}

export interface AwsIamOptions {
  /** STS endpoint used to assume the role, e.g. a VPC endpoint; default: the region's STS endpoint. */
  stsEndpoint?: string
}

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

export interface MskToken {
  /** The OAUTHBEARER token: base64url of the presigned URL. */
  value: string
  /** Milliseconds since the epoch. */
  expiresAt: number
}

/** The lifetime the signer gives tokens (900 s); assumed-role credentials must outlive a token. */
const TOKEN_LIFETIME_MS = 15 * 60_000
const CREDENTIALS_MARGIN_MS = 60_000
const ROLE_SESSION_NAME = 'actions-kafka-producer'
const STS_TIMEOUT_MS = 5000

// MSK host names: b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com (also b-1-public.…, and the
// serverless boot-<id>.c1.kafka-serverless.<region>.amazonaws.com); China regions end in .com.cn.
const MSK_HOST = /\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?\.?$/i
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/

/** The AWS regions named by MSK broker host names (empty when none is an MSK name). */
export function regionsOfBrokers(brokers: readonly BrokerAddress[]): string[] {
  const regions = brokers.map((b) => (b.ipv6 ? undefined : MSK_HOST.exec(b.host)?.[1]?.toLowerCase()))
  return [...new Set(regions.filter((r): r is string => r !== undefined))]
}

const invalid = (message: string, code: OwnCode): Error => notRetriedByKafkajs(ownError(code, message))

/** The signing region: from the broker host names, else the awsRegion setting; both must agree. */
export function resolveRegion(s: Pick<AwsIamSettings, 'brokers' | 'region'>): string {
  const fromHosts = regionsOfBrokers(s.brokers)
  if (fromHosts.length > 1)
    throw invalid(
      `The brokers are in several AWS regions (${fromHosts.join(', ')}): list one cluster's brokers.`,
      'AWS_REGION_AMBIGUOUS'
    )
  const setting = s.region?.trim().toLowerCase()
  if (setting !== undefined && setting !== '') {
    if (!REGION.test(setting))
      throw invalid(`awsRegion "${s.region}" is not an AWS region name such as us-east-1.`, 'INVALID_AWS_REGION')
    if (fromHosts[0] && fromHosts[0] !== setting)
      throw invalid(
        `awsRegion is ${setting} but the broker host names are in ${fromHosts[0]}: correct awsRegion or leave it empty.`,
        'AWS_REGION_MISMATCH'
      )
    return setting
  }
  if (fromHosts[0]) return fromHosts[0]
  throw invalid(
    'awsRegion is required for mechanism aws: the region cannot be read from the broker host names (MSK names look like b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com).',
    'AWS_REGION_REQUIRED'
  )
}

/** The role to assume: authorizationIdentity when it is an IAM role ARN (other identities need no role). */
export function roleToAssume(authorizationIdentity: string | undefined): string | undefined {
  const identity = authorizationIdentity?.trim()
  if (!identity || !identity.startsWith('arn:')) return undefined
  if (!ROLE_ARN.test(identity))
    throw invalid(
      `authorizationIdentity "${identity}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`,
      'INVALID_ROLE_ARN'
    )
  return identity
}

/**
 * kafkajs retries (for up to half a minute) any error whose `retriable` is not false, then wraps it.
 * Ours are marked false so they reach the caller at once and as they are; whether the call is worth
 * retrying later is said by the actions-core error itself (RetryableError or a 5xx status).
 */
function notRetriedByKafkajs<E extends Error>(error: E): E {
  return Object.assign(error, { retriable: false })
}

const STS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'RegionDisabledException'
])

/** STS failures as actions-core errors; secrets are cut out of anything STS or the SDK says. */
function stsError(error: unknown, roleArn: string, s: AwsIamSettings): Error {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const name = e?.name ?? 'Error'
  const said = scrub(`${name}: ${e?.message ?? String(error)}`, s)
  const status = e?.$metadata?.httpStatusCode
  const what = `Could not assume the role ${roleArn} (authorizationIdentity) with access key ${s.accessKeyId ?? ''}`
  if (STS_DENIED.has(name) || status === 403)
    return invalid(`${what}: AWS STS refused (${said}).`, 'AWS_ASSUME_ROLE_DENIED')
  if (status !== undefined && status >= 400 && status < 500 && status !== 429)
    return invalid(`${what}: AWS STS rejected the request (${said}).`, 'AWS_ASSUME_ROLE_INVALID')
  return invalid(`${what}: AWS STS could not be reached or failed (${said}).`, 'AWS_STS_UNAVAILABLE')
}

function scrub(text: string, s: AwsIamSettings): string {
  let out = text
  for (const secret of [s.secretAccessKey, s.sessionToken])
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]')
  return out
}

/**
 * Credentials to sign with: the configured key, or (authorizationIdentity = role ARN) temporary
 * credentials from STS, reused while they have more than a token's lifetime left.
 */
export function credentialsProvider(s: AwsIamSettings, options: AwsIamOptions = {}): () => Promise<AwsCredentials> {
  const missing = [!s.accessKeyId && 'accessKeyId', !s.secretAccessKey && 'secretAccessKey'].filter(Boolean)
  if (missing.length)
    throw invalid(`mechanism aws requires ${missing.join(' and ')} (the AWS access key).`, 'AWS_CREDENTIALS_MISSING')
  const base: AwsCredentials = { accessKeyId: s.accessKeyId as string, secretAccessKey: s.secretAccessKey as string }
  if (s.sessionToken) base.sessionToken = s.sessionToken
  const roleArn = roleToAssume(s.authorizationIdentity)
  if (!roleArn) return () => Promise.resolve(base)

  const assumeRole = fromTemporaryCredentials({
    masterCredentials: base,
    params: { RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME },
    clientConfig: {
      region: resolveRegion(s),
      ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
      maxAttempts: 2,
      requestHandler: { connectionTimeout: STS_TIMEOUT_MS, requestTimeout: STS_TIMEOUT_MS }
    }
  })
  let current: AwsCredentials | undefined
  let pending: Promise<AwsCredentials> | undefined
  const fresh = (c: AwsCredentials): boolean =>
    !c.expiration || c.expiration.getTime() - Date.now() > TOKEN_LIFETIME_MS + CREDENTIALS_MARGIN_MS
  return async () => {
    if (current && fresh(current)) return current
    // Connections to several brokers authenticate at once: one STS call serves them all.
    pending ??= assumeRole()
      .then((c) => {
        current = {
          accessKeyId: c.accessKeyId,
          secretAccessKey: c.secretAccessKey,
          sessionToken: c.sessionToken,
          expiration: c.expiration
        }
        return current
      })
      .catch((error: unknown) => {
        throw stsError(error, roleArn, s)
      })
      .finally(() => {
        pending = undefined
      })
    return pending
  }
}

/**
 * Mints MSK tokens. Settings problems (missing key, no region, bad role ARN) throw here, at once,
 * as 400 IntegrationErrors; STS and signer failures are thrown by the returned function.
 */
export function mskTokenProvider(s: AwsIamSettings, options: AwsIamOptions = {}): () => Promise<MskToken> {
  const region = resolveRegion(s)
  const credentials = credentialsProvider(s, options)
  return async () => {
    const c = await credentials()
    try {
      // The expiration is left out on purpose: from it the signer derives a fractional X-Amz-Expires
      // (seconds left, as a float); the credentials above always outlive the signer's 900 s anyway.
      const signerCredentials = {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        sessionToken: c.sessionToken
      }
      const { token, expiryTime } = await generateAuthTokenFromCredentialsProvider({
        region,
        awsCredentialsProvider: () => Promise.resolve(signerCredentials)
      })
      return { value: token, expiresAt: expiryTime }
    } catch (error) {
      const said = scrub(error instanceof Error ? error.message : String(error), s)
      throw invalid(`The AWS IAM token for MSK could not be signed: ${said}`, 'AWS_IAM_SIGNER_FAILED')
    }
  }
}
