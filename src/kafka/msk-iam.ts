/**
 * SASL OAUTHBEARER for Amazon MSK's IAM listeners, as a kafkajs authenticator around the token source
 * of aws-iam.ts.
 *
 * kafkajs's own OAUTHBEARER authenticator takes a broker's rejection (an error challenge, RFC 7628
 * section 3.2.2) for success and fails later with ILLEGAL_SASL_STATE; the authenticator below reads the
 * challenge and fails the login with a KafkaJSSASLAuthenticationError instead.
 */
import { KafkaJSSASLAuthenticationError, type AuthenticationProviderArgs, type Mechanism } from 'kafkajs'
import { mskTokenProvider, type AwsIamOptions, type AwsIamSettings, type MskToken } from '../aws-iam'

const SOH = '\x01'
/** kafkajs's type definitions omit the constructor's message argument. */
const SaslAuthenticationError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error

/** The broker's error challenge (RFC 7628 section 3.2.2), or undefined when the login succeeded. */
export function errorChallenge(authBytes: Buffer | undefined | void): string | undefined {
  if (!authBytes || authBytes.length === 0) return undefined
  // kafkajs hands over the bytes with their int32 length prefix.
  const body =
    authBytes.length >= 4 && authBytes.readInt32BE(0) === authBytes.length - 4 ? authBytes.subarray(4) : authBytes
  if (body.length === 0) return undefined
  const text = body.toString('utf8')
  try {
    const parsed = JSON.parse(text) as { status?: unknown }
    return typeof parsed.status === 'string' ? parsed.status : text
  } catch {
    return text
  }
}

/** SASL bytes as kafkajs sends them: with their int32 length first. */
function lengthPrefixed(text: string): Buffer {
  const body = Buffer.from(text, 'utf8')
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(body.length)
  return Buffer.concat([prefix, body])
}

/** A kafkajs SASL OAUTHBEARER authenticator around a token source. */
export function oauthBearerAuthenticator(token: () => Promise<MskToken>): Mechanism['authenticationProvider'] {
  return ({ host, port, logger, saslAuthenticate }: AuthenticationProviderArgs) => ({
    authenticate: async () => {
      const { value } = await token()
      // GS2 header without an authorization identity: MSK takes the identity from the signature.
      const message = lengthPrefixed(`n,,${SOH}auth=Bearer ${value}${SOH}${SOH}`)
      const reply = await saslAuthenticate<Buffer>({
        request: { encode: () => message },
        response: { decode: (raw) => raw, parse: (data) => data }
      })
      const status = errorChallenge(reply ?? undefined)
      if (status === undefined) {
        logger.debug('SASL OAUTHBEARER (AWS IAM) authentication successful', { broker: `${host}:${port}` })
        return
      }
      // The client answers an error challenge with a lone %x01; the broker then fails the exchange.
      await saslAuthenticate({ request: { encode: () => lengthPrefixed(SOH) } }).catch(() => undefined)
      throw new SaslAuthenticationError(
        `SASL OAUTHBEARER authentication failed: the broker rejected the AWS IAM token (${status})`
      )
    }
  })
}

/**
 * The kafkajs `sasl` option for mechanism aws. Settings that went through normaliseSettings cannot make
 * it throw; others throw a 400 when they cannot work (missing key, region not derivable, invalid role ARN).
 */
export function awsIamSasl(s: AwsIamSettings, options: AwsIamOptions = {}): Mechanism {
  return { mechanism: 'oauthbearer', authenticationProvider: oauthBearerAuthenticator(mskTokenProvider(s, options)) }
}
