/**
 * AWS IAM (MSK) tokens: region and role rules, and the token itself, checked by a SigV4
 * verification written here from the specification with node:crypto (not by the signer's code).
 * Role assumption runs against a local stand-in for STS.
 */
import { createHash, createHmac } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { IntegrationError, InvalidAuthenticationError, RetryableError } from '@segment/actions-core'
import { KafkaJSSASLAuthenticationError, type AuthenticationProviderArgs, type Logger } from 'kafkajs'
import {
  credentialsProvider,
  mskTokenProvider,
  regionsOfBrokers as regionsOfAddresses,
  resolveRegion as resolveRegionOf,
  roleToAssume,
  type AwsIamSettings
} from '../../src/aws-iam'
import { brokerAddresses } from '../../src/brokers'
import { awsIamSasl, errorChallenge, oauthBearerAuthenticator } from '../../src/kafka/msk-iam'
import { AWS_IAM, layout, serverProperties } from '../../scripts/broker/broker'
import { kafkaConfig } from '../../src/kafka/client-config'
import { normaliseSettings } from '../../src/settings'

const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const TEMP = {
  accessKeyId: 'ASIAQWERTYUIOPEXAMPLE',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE+session/token=='
}
const ROLE = 'arn:aws:iam::123456789012:role/kafka-producer'
const MSK = 'b-1.orders.abc123.c2.kafka.eu-west-1.amazonaws.com:9098'

/** The tests name brokers as `host:port` text; the functions take parsed addresses. */
type WithBrokerText<T> = Omit<T, 'brokers'> & { brokers: string[] }
const parsed = <T extends { brokers: readonly unknown[] }>(s: WithBrokerText<T>): T =>
  ({ ...s, brokers: brokerAddresses(s.brokers.join(',')) }) as unknown as T
const regionsOfBrokers = (brokers: string[]): string[] => regionsOfAddresses(brokerAddresses(brokers.join(',')))
const resolveRegion = (s: WithBrokerText<Pick<AwsIamSettings, 'brokers' | 'region'>>): string =>
  resolveRegionOf(parsed(s))
const settings = (extra: Partial<WithBrokerText<AwsIamSettings>> = {}): AwsIamSettings =>
  parsed<AwsIamSettings>({ brokers: [MSK], ...KEY, ...extra })

// ---- SigV4, from the specification ----

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')
const hmac = (key: Buffer | string, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest()
/** RFC 3986 encoding as SigV4 wants it: only A-Z a-z 0-9 - _ . ~ stay as they are. */
const uriEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

interface Presigned {
  url: URL
  params: Map<string, string>
  signatureValid: boolean
}

/** Decodes an MSK token and checks its signature against `secret`. */
function verifyToken(token: string, secret: string): Presigned {
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/) // base64url, no padding
  const url = new URL(Buffer.from(token, 'base64url').toString('utf8'))
  const params = new Map<string, string>()
  for (const pair of url.search.slice(1).split('&')) {
    const [k, v = ''] = pair.split('=')
    params.set(decodeURIComponent(k), decodeURIComponent(v))
  }
  const get = (name: string): string => params.get(name) ?? ''
  const [keyId, date, region, service, terminator] = get('X-Amz-Credential').split('/')
  void keyId
  const canonicalQuery = [...params]
    .filter(([k]) => k !== 'X-Amz-Signature' && k !== 'User-Agent') // the signer adds User-Agent after signing
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .sort()
    .join('&')
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${url.host}`, '', 'host', sha256('')].join('\n')
  const scope = [date, region, service, terminator].join('/')
  const stringToSign = ['AWS4-HMAC-SHA256', get('X-Amz-Date'), scope, sha256(canonicalRequest)].join('\n')
  let signingKey = hmac(`AWS4${secret}`, date)
  for (const part of [region, service, terminator]) signingKey = hmac(signingKey, part)
  const signature = hmac(signingKey, stringToSign).toString('hex')
  return { url, params, signatureValid: signature === get('X-Amz-Signature') }
}

const amzDateMs = (amzDate: string): number =>
  Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'))

// ---- a local stand-in for AWS STS ----

interface FakeSts {
  endpoint: string
  requests: { body: URLSearchParams; authorization: string }[]
  /** What the next AssumeRole answers. */
  reply: { status: number; body: string }
  close: () => Promise<void>
}

function assumeRoleXml(expiration: Date): string {
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:actions-kafka-producer</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/kafka-producer/actions-kafka-producer</Arn></AssumedRoleUser>
<Credentials><AccessKeyId>${TEMP.accessKeyId}</AccessKeyId><SecretAccessKey>${TEMP.secretAccessKey}</SecretAccessKey>
<SessionToken>${TEMP.sessionToken}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>
</AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>`
}

const denyXml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>
<Message>User: arn:aws:iam::123456789012:user/producer is not authorized to perform: sts:AssumeRole on resource: ${ROLE}</Message></Error>
<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c8</RequestId></ErrorResponse>`

async function fakeSts(): Promise<FakeSts> {
  const sts: Omit<FakeSts, 'endpoint' | 'close'> = {
    requests: [],
    reply: { status: 200, body: assumeRoleXml(new Date(Date.now() + 3600_000)) }
  }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      sts.requests.push({ body: new URLSearchParams(body), authorization: String(req.headers.authorization) })
      res.writeHead(sts.reply.status, { 'content-type': 'text/xml' }).end(sts.reply.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(sts, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  })
}

function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a throw')
}

async function rejected(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: Error) => error
  )
}

describe('region', () => {
  it.each([
    ['provisioned, IAM port', 'b-1.orders.abc123.c2.kafka.us-east-1.amazonaws.com:9098', 'us-east-1'],
    ['public access', 'b-2-public.orders.abc123.c3.kafka.eu-central-1.amazonaws.com:9198', 'eu-central-1'],
    ['without the cN label', 'b-3.orders.abc123.kafka.ap-southeast-2.amazonaws.com:9098', 'ap-southeast-2'],
    ['serverless', 'boot-abcd1234.c1.kafka-serverless.us-west-2.amazonaws.com:9098', 'us-west-2'],
    ['GovCloud', 'b-1.orders.abc123.c2.kafka.us-gov-west-1.amazonaws.com:9098', 'us-gov-west-1'],
    ['China', 'b-1.orders.abc123.c2.kafka.cn-north-1.amazonaws.com.cn:9098', 'cn-north-1'],
    ['upper case', 'B-1.ORDERS.ABC123.C2.KAFKA.US-EAST-2.AMAZONAWS.COM:9098', 'us-east-2']
  ])('is read from an MSK host name (%s)', (_, broker, region) => {
    expect(regionsOfBrokers([broker])).toEqual([region])
    expect(resolveRegion({ brokers: [broker] })).toBe(region)
  })

  it.each([['127.0.0.1:9098'], ['kafka.example.com:9092'], ['[::1]:9098'], ['kafka.us-east-1.example.com:9098']])(
    'is not guessed from %s',
    (broker) => {
      expect(regionsOfBrokers([broker])).toEqual([])
    }
  )

  it('comes from awsRegion when the host names do not say', () => {
    expect(resolveRegion({ brokers: ['10.0.0.1:9098'], region: 'EU-West-3' })).toBe('eu-west-3')
  })

  it('is required when neither the host names nor awsRegion give it', () => {
    const error = thrown(() => resolveRegion({ brokers: ['10.0.0.1:9098'] }))
    expect(error).toBeInstanceOf(IntegrationError)
    expect(error).toMatchObject({ code: 'AWS_REGION_REQUIRED', status: 400 })
    expect(error.message).toMatch(/awsRegion is required/)
  })

  it('rejects an awsRegion that contradicts the host names, or is not a region name', () => {
    expect(thrown(() => resolveRegion({ brokers: [MSK], region: 'us-east-1' }))).toMatchObject({
      code: 'AWS_REGION_MISMATCH',
      status: 400
    })
    expect(resolveRegion({ brokers: [MSK], region: 'eu-west-1' })).toBe('eu-west-1')
    expect(thrown(() => resolveRegion({ brokers: ['10.0.0.1:9098'], region: 'Ireland' }))).toMatchObject({
      code: 'INVALID_AWS_REGION'
    })
  })

  it('rejects brokers from several regions', () => {
    const other = 'b-1.orders.abc123.c2.kafka.us-east-1.amazonaws.com:9098'
    expect(thrown(() => resolveRegion({ brokers: [MSK, other] }))).toMatchObject({ code: 'AWS_REGION_AMBIGUOUS' })
  })
})

describe('authorizationIdentity', () => {
  it('names the role to assume when it is a role ARN', () => {
    expect(roleToAssume(ROLE)).toBe(ROLE)
    expect(roleToAssume('arn:aws-cn:iam::123456789012:role/path/to/role')).toBe(
      'arn:aws-cn:iam::123456789012:role/path/to/role'
    )
  })

  it('assumes nothing for an empty value or a non-ARN identity (kafkajs aws mechanism user ids)', () => {
    expect(roleToAssume(undefined)).toBeUndefined()
    expect(roleToAssume(' ')).toBeUndefined()
    expect(roleToAssume('AIDAIOSFODNN7EXAMPLE')).toBeUndefined()
  })

  it('rejects an ARN that is not an IAM role', () => {
    const error = thrown(() => roleToAssume('arn:aws:iam::123456789012:user/producer'))
    expect(error).toMatchObject({ code: 'INVALID_ROLE_ARN', status: 400 })
  })
})

describe('settings problems are reported before any connection', () => {
  it.each([
    ['accessKeyId', { accessKeyId: undefined }],
    ['secretAccessKey', { secretAccessKey: undefined }],
    ['accessKeyId and secretAccessKey', { accessKeyId: undefined, secretAccessKey: undefined }]
  ])('missing %s', (fields, extra) => {
    const error = thrown(() => awsIamSasl(settings(extra)))
    expect(error).toBeInstanceOf(IntegrationError)
    expect(error).toMatchObject({ code: 'AWS_CREDENTIALS_MISSING', status: 400 })
    expect(error.message).toContain(`requires ${fields}`)
    expect(error.message).not.toContain(KEY.secretAccessKey)
  })

  it('no region', () => {
    expect(thrown(() => awsIamSasl(settings({ brokers: ['127.0.0.1:9098'] })))).toMatchObject({
      code: 'AWS_REGION_REQUIRED'
    })
  })

  it('settings -> kafkajs config: OAUTHBEARER with our authenticator, TLS on by default', () => {
    const config = kafkaConfig(
      normaliseSettings({
        brokers: MSK,
        mechanism: 'aws',
        accessKeyId: KEY.accessKeyId,
        secretAccessKey: 'x'.repeat(40)
      })
    )
    expect(config.sasl).toMatchObject({ mechanism: 'oauthbearer', authenticationProvider: expect.any(Function) })
    expect(config.ssl).toMatchObject({ rejectUnauthorized: true })
  })

  it('settings -> kafkajs config: awsRegion and sessionToken are read', async () => {
    const c = normaliseSettings({
      brokers: '127.0.0.1:19096',
      mechanism: 'aws',
      accessKeyId: TEMP.accessKeyId,
      secretAccessKey: TEMP.secretAccessKey,
      sessionToken: TEMP.sessionToken,
      awsRegion: 'eu-west-1'
    })
    expect(c).toMatchObject({ region: 'eu-west-1', sessionToken: TEMP.sessionToken })
    const { params, signatureValid } = verifyToken((await mskTokenProvider(c)()).value, TEMP.secretAccessKey)
    expect(signatureValid).toBe(true)
    expect(params.get('X-Amz-Security-Token')).toBe(TEMP.sessionToken)
  })
})

describe('the token', () => {
  it('is a SigV4 presigned kafka-cluster:Connect request for the key, region and a 15 minute expiry', async () => {
    const before = Date.now()
    const token = await mskTokenProvider(settings())()
    const { url, params, signatureValid } = verifyToken(token.value, KEY.secretAccessKey)
    expect(signatureValid).toBe(true)
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('https://kafka.eu-west-1.amazonaws.com/')
    expect(params.get('Action')).toBe('kafka-cluster:Connect')
    expect(params.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256')
    expect(params.get('X-Amz-SignedHeaders')).toBe('host')
    const signedAt = amzDateMs(params.get('X-Amz-Date') ?? '')
    const day = new Date(signedAt).toISOString().slice(0, 10).replace(/-/g, '')
    expect(params.get('X-Amz-Credential')).toBe(`${KEY.accessKeyId}/${day}/eu-west-1/kafka-cluster/aws4_request`)
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(signedAt).toBeLessThanOrEqual(Date.now())
    expect(params.get('X-Amz-Expires')).toBe('900')
    expect(token.expiresAt).toBe(signedAt + 900_000)
    expect(params.has('X-Amz-Security-Token')).toBe(false)
    expect(params.get('User-Agent')).toMatch(/^aws-msk-iam-sasl-signer-js\//)
  })

  it('does not verify with another secret, nor once a signed parameter is changed', async () => {
    const token = (await mskTokenProvider(settings())()).value
    expect(verifyToken(token, 'another-secret').signatureValid).toBe(false)
    const tampered = Buffer.from(
      Buffer.from(token, 'base64url').toString('utf8').replace('X-Amz-Expires=900', 'X-Amz-Expires=899')
    ).toString('base64url')
    expect(verifyToken(tampered, KEY.secretAccessKey).signatureValid).toBe(false)
  })

  it('carries and signs the session token of temporary credentials', async () => {
    const token = await mskTokenProvider(settings({ ...TEMP }))()
    const { params, signatureValid } = verifyToken(token.value, TEMP.secretAccessKey)
    expect(signatureValid).toBe(true)
    expect(params.get('X-Amz-Security-Token')).toBe(TEMP.sessionToken)
    expect(params.get('X-Amz-Credential')).toMatch(new RegExp(`^${TEMP.accessKeyId}/`))
  })

  it('is signed afresh for every authentication', async () => {
    const next = mskTokenProvider(settings())
    const first = await next()
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const second = await next()
    expect(second.value).not.toBe(first.value)
    expect(second.expiresAt).toBeGreaterThan(first.expiresAt)
  })
})

describe('role assumption (authorizationIdentity = role ARN), against a local STS', () => {
  let sts: FakeSts
  beforeEach(async () => {
    sts = await fakeSts()
  })
  afterEach(() => sts.close())

  it('assumes the role with the access key and signs with the temporary credentials', async () => {
    const token = await mskTokenProvider(settings({ authorizationIdentity: ROLE }), { stsEndpoint: sts.endpoint })()
    expect(sts.requests).toHaveLength(1)
    const { body, authorization } = sts.requests[0]
    expect(body.get('Action')).toBe('AssumeRole')
    expect(body.get('RoleArn')).toBe(ROLE)
    expect(body.get('RoleSessionName')).toBe('actions-kafka-producer')
    // Signed with the configured key, for STS in the cluster's region.
    expect(authorization).toMatch(new RegExp(`Credential=${KEY.accessKeyId}/\\d{8}/eu-west-1/sts/aws4_request`))
    const { params, signatureValid } = verifyToken(token.value, TEMP.secretAccessKey)
    expect(signatureValid).toBe(true)
    expect(params.get('X-Amz-Credential')).toMatch(new RegExp(`^${TEMP.accessKeyId}/`))
    expect(params.get('X-Amz-Security-Token')).toBe(TEMP.sessionToken)
    expect(params.get('X-Amz-Expires')).toBe('900')
  })

  it('reuses the temporary credentials while they outlive a token, and renews them before', async () => {
    const next = mskTokenProvider(settings({ authorizationIdentity: ROLE }), { stsEndpoint: sts.endpoint })
    await Promise.all([next(), next(), next()])
    await next()
    expect(sts.requests).toHaveLength(1) // concurrent logins share one STS call; later ones reuse it

    // Credentials with less than a token's lifetime (+1 min) left are renewed before signing.
    const credentials = credentialsProvider(settings({ authorizationIdentity: ROLE }), { stsEndpoint: sts.endpoint })
    sts.reply = { status: 200, body: assumeRoleXml(new Date(Date.now() + 10 * 60_000)) }
    const first = await credentials()
    const second = await credentials()
    expect(sts.requests).toHaveLength(3)
    expect(second.expiration?.getTime()).toBe(first.expiration?.getTime())
  })

  it('a refusal by STS is an authentication error without secrets', async () => {
    sts.reply = { status: 403, body: denyXml }
    const error = await rejected(
      mskTokenProvider(settings({ authorizationIdentity: ROLE, sessionToken: TEMP.sessionToken }), {
        stsEndpoint: sts.endpoint
      })()
    )
    expect(error).toBeInstanceOf(InvalidAuthenticationError)
    expect(error).toMatchObject({ code: 'AWS_ASSUME_ROLE_DENIED', status: 401, retriable: false })
    expect(error.message).toContain(ROLE)
    expect(error.message).toContain('AccessDenied')
    expect(error.message).not.toContain(KEY.secretAccessKey)
    expect(error.message).not.toContain(TEMP.sessionToken)
  })

  it('STS out of reach is retryable', async () => {
    const endpoint = sts.endpoint
    await sts.close()
    const error = await rejected(
      mskTokenProvider(settings({ authorizationIdentity: ROLE }), { stsEndpoint: endpoint })()
    )
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({ code: 'AWS_STS_UNAVAILABLE', status: 503, retriable: false })
    expect(error.message).not.toContain(KEY.secretAccessKey)
    sts = await fakeSts() // for afterEach
  })
})

describe('the OAUTHBEARER exchange', () => {
  const logger = { debug: () => undefined } as unknown as Logger
  const token = () => Promise.resolve({ value: 'the-token', expiresAt: Date.now() + 900_000 })
  const lengthPrefixed = (text: string): Buffer => {
    const body = Buffer.from(text)
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(body.length)
    return Buffer.concat([prefix, body])
  }

  function run(replies: Buffer[]): { sent: string[]; done: Promise<void> } {
    const sent: string[] = []
    const saslAuthenticate = (async ({ request }: { request: { encode: () => Buffer | Promise<Buffer> } }) => {
      const bytes = await request.encode()
      expect(bytes.readInt32BE(0)).toBe(bytes.length - 4) // kafkajs expects the length first
      sent.push(bytes.subarray(4).toString('utf8'))
      return replies.shift()
    }) as AuthenticationProviderArgs['saslAuthenticate']
    const done = oauthBearerAuthenticator(token)({ host: 'h', port: 1, logger, saslAuthenticate }).authenticate()
    return { sent, done }
  }

  it('sends the RFC 7628 client response without an authorization identity', async () => {
    const { sent, done } = run([lengthPrefixed('')])
    await done
    expect(sent).toEqual(['n,,\x01auth=Bearer the-token\x01\x01'])
  })

  it('reads an error challenge as a failed login, and completes the exchange with %x01', async () => {
    const { sent, done } = run([lengthPrefixed('{"status":"invalid_token"}'), lengthPrefixed('')])
    const error = await rejected(done)
    expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError)
    expect(error.message).toContain('invalid_token')
    expect(sent[1]).toBe('\x01')
  })

  it('errorChallenge', () => {
    expect(errorChallenge(undefined)).toBeUndefined()
    expect(errorChallenge(lengthPrefixed(''))).toBeUndefined()
    expect(errorChallenge(lengthPrefixed('{"status":"invalid_token"}'))).toBe('invalid_token')
    expect(errorChallenge(Buffer.from('not json'))).toBe('not json')
  })
})

describe("the test broker's IAM listener (harness config)", () => {
  it('is SASL_SSL with OAUTHBEARER only, checked by the SigV4 validator, sessions bounded by the token', () => {
    const props = serverProperties(layout({ dir: '/tmp/x', ports: { plaintext: 1, iam: 6 } }))
    expect(props).toMatch(/^listeners=.*,SASL_IAM:\/\/127\.0\.0\.1:6$/m)
    expect(props).toMatch(/^advertised\.listeners=.*,SASL_IAM:\/\/127\.0\.0\.1:6$/m)
    expect(props).toMatch(/^listener\.security\.protocol\.map=.*SASL_IAM:SASL_SSL/m)
    expect(props).toContain('listener.name.sasl_iam.sasl.enabled.mechanisms=OAUTHBEARER\n')
    expect(props).toContain(
      'listener.name.sasl_iam.oauthbearer.sasl.server.callback.handler.class=harness.MskIamValidator\n'
    )
    expect(props).toContain(`key_${AWS_IAM.accessKeyId}="${AWS_IAM.secretAccessKey}"`)
    expect(props).toContain(`region="${AWS_IAM.region}"`)
    expect(props).toContain('listener.name.sasl_iam.oauthbearer.connections.max.reauth.ms=3600000\n')
  })

  it('takes the plaintext port + 4 unless given, so brokers on other ports do not collide', () => {
    expect(layout({ ports: { plaintext: 39092 } }).ports.iam).toBe(39096)
    expect(layout({ ports: { plaintext: 39092, iam: 40000 } }).ports.iam).toBe(40000)
  })
})
