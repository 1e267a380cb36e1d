/**
 * AWS IAM (MSK) authentication against a real broker: the harness's SASL_IAM listener (TLS +
 * OAUTHBEARER) whose validator recomputes each token's SigV4 signature with the test credentials.
 *
 * This file runs its own broker (own folder and ports) with sessions on the IAM listener cut to
 * 15 s, so re-authentication happens within a test and nothing depends on how the shared broker was
 * started. Records are read back over that broker's PLAINTEXT listener by kcat (librdkafka).
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { InvalidAuthenticationError, RetryableError } from '@segment/actions-core'
import { Kafka, KafkaJSSASLAuthenticationError, logLevel } from 'kafkajs'
import { reset, ROOT, start, type BrokerInfo, type BrokerOptions } from '../../scripts/broker/broker'
import { connectionKey } from '../../src/connection-identity'
import { kafkaConfig } from '../../src/kafka/client-config'
import { awsIamSasl } from '../../src/kafka/msk-iam'
import { toActionError } from '../../src/kafka/errors'
import { producerPool } from '../../src/producers'
import { normaliseSettings, type ConnectionSettings } from '../../src/settings'
import type { Settings } from '../../src/settings-fields'
import { uniqueTopic } from '../helpers/kafka'
import { ownPorts, SLOTS } from '../helpers/own-ports'
import { listenersOf } from '../helpers/settings'

const SESSION_MS = 15_000
const OPTIONS: BrokerOptions = {
  dir: path.join(ROOT, '.kafka', 'aws-iam-test'),
  ports: ownPorts(SLOTS.awsIam),
  overrides: { 'listener.name.sasl_iam.oauthbearer.connections.max.reauth.ms': SESSION_MS }
}

let b: BrokerInfo

beforeAll(async () => {
  b = (await start(OPTIONS)).info
}, 120_000)

afterAll(async () => {
  await producerPool.closeAll()
  await reset(OPTIONS)
}, 60_000)

function awsSettings(extra: Partial<Settings> = {}): ConnectionSettings {
  return normaliseSettings(listenersOf(b).iam(extra))
}

async function createTopic(): Promise<string> {
  const topic = uniqueTopic('iam')
  const admin = new Kafka({ brokers: [b.bootstrap.plaintext], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
  await admin.disconnect()
  return topic
}

/** Values of every record of the topic, read by kcat over PLAINTEXT. */
function readValues(topic: string): Promise<string[]> {
  const args = ['-C', '-b', b.bootstrap.plaintext, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n']
  return new Promise((resolve, reject) =>
    execFile('kcat', args, { timeout: 20_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`kcat failed: ${stderr}`)) : resolve(stdout.split('\n').filter(Boolean))
    )
  )
}

/** Lines the validator logged since `from` (a byte offset of the broker log). */
function validatorLog(from: number): string[] {
  return fs
    .readFileSync(b.logFile)
    .subarray(from)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.includes('MSK IAM token'))
}
const logSize = (): number => fs.statSync(b.logFile).size

async function sendOnce(c: ConnectionSettings, topic: string, value: string): Promise<void> {
  const producer = new Kafka({ ...kafkaConfig(c), retry: { retries: 0 } }).producer()
  try {
    await producer.connect()
    await producer.send({ topic, messages: [{ value }] })
  } finally {
    await producer.disconnect()
  }
}

describe('AWS IAM listener', () => {
  it('accepts a token signed with the right secret: the record reads back', async () => {
    const topic = await createTopic()
    const from = logSize()
    await sendOnce(awsSettings(), topic, 'signed right')
    expect(await readValues(topic)).toEqual(['signed right'])
    expect(validatorLog(from).join('\n')).toContain(`token accepted for ${b.aws.accessKeyId}`)
  })

  it('rejects a token signed with a wrong secret: an authentication error (401), nothing written', async () => {
    const topic = await createTopic()
    const from = logSize()
    const c = awsSettings({ secretAccessKey: 'wrong/secret/EXAMPLEKEY+abcdefghijklmnop' })
    const error = await sendOnce(c, topic, 'must not arrive').then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError)
    expect((error as Error).message).toContain('rejected the AWS IAM token (invalid_token)')
    const mapped = toActionError(error, { settings: c })
    expect(mapped).toBeInstanceOf(InvalidAuthenticationError)
    expect(mapped).toMatchObject({ status: 401 })
    expect(mapped.message).not.toContain(c.secretAccessKey)
    expect(validatorLog(from).join('\n')).toContain('signature does not match')
    expect(await readValues(topic)).toEqual([])
  })

  it('accepts temporary credentials with their session token, and not with another one', async () => {
    const topic = await createTopic()
    const temp = b.aws.assumedRole
    const c = awsSettings({ ...temp })
    await sendOnce(c, topic, 'temporary credentials')
    expect(await readValues(topic)).toEqual(['temporary credentials'])
    await expect(sendOnce(awsSettings({ ...temp, sessionToken: 'another-token' }), topic, 'no')).rejects.toThrow(
      KafkaJSSASLAuthenticationError
    )
  })

  it('assumes the role in authorizationIdentity (through a local STS) and connects as it', async () => {
    const requests: string[] = []
    const sts = http.createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        requests.push(body)
        const r = b.aws.assumedRole
        const expiration = new Date(Date.now() + 3600_000).toISOString()
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
              `<AccessKeyId>${r.accessKeyId}</AccessKeyId><SecretAccessKey>${r.secretAccessKey}</SecretAccessKey>` +
              `<SessionToken>${r.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
              `</AssumeRoleResult></AssumeRoleResponse>`
          )
      })
    })
    await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve))
    try {
      const topic = await createTopic()
      const from = logSize()
      const c = awsSettings({ authorizationIdentity: b.aws.roleArn })
      const stsEndpoint = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`
      const kafka = new Kafka({ ...kafkaConfig(c), sasl: awsIamSasl(c, { stsEndpoint }), retry: { retries: 0 } })
      const producer = kafka.producer()
      await producer.connect()
      await producer.send({ topic, messages: [{ value: 'as the role' }] })
      await producer.disconnect()
      expect(await readValues(topic)).toEqual(['as the role'])
      expect(requests).toHaveLength(1)
      expect(new URLSearchParams(requests[0]).get('RoleArn')).toBe(b.aws.roleArn)
      expect(validatorLog(from).join('\n')).toContain(`token accepted for ${b.aws.assumedRole.accessKeyId}`)
    } finally {
      await new Promise((resolve) => sts.close(resolve))
    }
  })

  it('STS out of reach: the connection fails at once with a retryable error that names the role', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const stsEndpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
    await new Promise((resolve) => closed.close(resolve))
    const c = awsSettings({ authorizationIdentity: b.aws.roleArn })
    const producer = new Kafka({ ...kafkaConfig(c), sasl: awsIamSasl(c, { stsEndpoint }) }).producer()
    const started = Date.now()
    const error = await producer.connect().then(
      () => undefined,
      (e: unknown) => e
    )
    await producer.disconnect()
    expect(Date.now() - started).toBeLessThan(5000) // not retried by kafkajs for half a minute
    const mapped = toActionError(error, { settings: c })
    expect(mapped).toBeInstanceOf(RetryableError)
    expect(mapped).toMatchObject({ code: 'AWS_STS_UNAVAILABLE', status: 503 })
    expect(mapped.message).toContain(b.aws.roleArn)
    expect(mapped.message).not.toContain(c.secretAccessKey)
  })

  it('a pooled producer re-authenticates when its session ends and keeps sending', async () => {
    const topic = await createTopic()
    const c = awsSettings()
    const key = connectionKey(c)
    let producersCreated = 0
    const observer = { miss: () => producersCreated++ }
    const from = logSize()
    const values: string[] = []
    // Past the 15 s session more than once; kafkajs re-authenticates 10 s before a session ends.
    const until = Date.now() + 2 * SESSION_MS - 5000
    for (let i = 0; Date.now() < until; i++) {
      values.push(`record ${i}`)
      await producerPool.use(
        c,
        key,
        ({ producer }) => producer.send({ topic, messages: [{ value: `record ${i}` }] }),
        observer
      )
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    expect(producersCreated).toBe(1)
    expect(await readValues(topic)).toEqual(values)
    const accepted = validatorLog(from).filter((line) => line.includes('token accepted'))
    // One login per connection at first, then at least one more per session.
    expect(accepted.length).toBeGreaterThanOrEqual(4)
    expect(validatorLog(from).filter((line) => line.includes('rejected'))).toEqual([])
  }, 90_000)
})
