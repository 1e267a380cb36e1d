/**
 * The OAUTHBEARER mechanism (src/oauth) against the broker's OIDC listener, whose tokens Kafka's own
 * OAuthBearerValidatorCallbackHandler checks against Keycloak's keys, audience and issuer. Records are
 * read back by kcat; what reached the broker (principal, extensions) is read from the broker's log.
 */
import { InvalidAuthenticationError } from '@segment/actions-core'
import { Kafka, logLevel } from 'kafkajs'
import * as fs from 'node:fs'
import { CONNECTION_TIMEOUT_MS } from '../../../src/kafka/client-config'
import { toActionError } from '../../../src/kafka/errors'
import { clearSharedTokenSources } from '../../../src/oauth/token-source'
import { broker, createTopic, readTopic } from '../../helpers/kafka'
import { client, logOffset, oidc, sessionsSince, waitFor } from '../../helpers/oidc'
import { oauthClient, oidcProducer } from '../../helpers/oidc-producer'

afterEach(() => clearSharedTokenSources())

const failure = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: Error) => e
  )

describe('OIDC listener', () => {
  it('the client with access sends; kcat reads the record back; the broker saw its principal and extensions', async () => {
    const topic = await createTopic()
    const from = logOffset()
    const { producer } = oidcProducer(oauthClient('access'), {
      logicalCluster: 'lkc-test1',
      identityPoolId: 'pool-Ab9'
    })
    await producer.connect()
    try {
      await producer.send({ topic, messages: [{ key: 'k', value: 'over oauth' }] })
    } finally {
      await producer.disconnect()
    }
    expect((await readTopic(topic)).map((r) => r.value)).toEqual(['over oauth'])
    await waitFor(() => sessionsSince(from).length > 0, 10_000, 'the broker to log the session')
    const sessions = sessionsSince(from)
    expect(sessions.every((s) => s.principal === client('access').clientId)).toBe(true)
    expect(sessions[0].extensions).toBe('{identityPoolId=pool-Ab9, logicalCluster=lkc-test1}')
  })

  it('a token for another audience: refused at connect with a 401 giving the broker reason and the audience', async () => {
    const topic = await createTopic()
    const from = logOffset()
    const { producer } = oidcProducer(oauthClient('other-audience'))
    const error = await failure(producer.connect())
    await producer.disconnect()
    const mapped = toActionError(error)
    expect(mapped).toBeInstanceOf(InvalidAuthenticationError)
    expect(mapped).toMatchObject({ status: 401, code: 'OAUTH_TOKEN_REJECTED' })
    expect(mapped.message).toContain(`the broker rejected the token of client "${client('other-audience').clientId}"`)
    expect(mapped.message).toContain('(invalid_token)')
    expect(mapped.message).toContain('audience other-api')
    expect(mapped.message).not.toContain(client('other-audience').clientSecret)
    expect(sessionsSince(from)).toEqual([])
    // The broker's own reason is in its log, for the operator.
    await waitFor(
      () =>
        fs
          .readFileSync(broker().logFile)
          .subarray(from)
          .toString()
          .includes("Audience (aud) claim [other-api] doesn't contain an acceptable identifier"),
      10_000,
      "the broker's audience rejection in its log"
    )
    expect(await readTopic(topic)).toEqual([])
  })

  it("kafkajs's built-in OAUTHBEARER takes the same rejection for success (why src/oauth reads the reply)", async () => {
    const c = oauthClient('other-audience')
    const token = async (): Promise<string> => {
      const { requestToken } = await import('../../../src/oauth/token-endpoint')
      return (await requestToken(c)).value
    }
    const producer = new Kafka({
      brokers: [oidc().bootstrap],
      ssl: { ca: fs.readFileSync(broker().pki.ca, 'utf8') },
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await token() }) },
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING
    }).producer()
    try {
      await producer.connect() // resolves although the broker rejected the token
      const error = await failure(producer.send({ topic: 'never-written', messages: [{ value: 'x' }] }))
      expect(String(error.message)).toMatch(/SASL state|closed|Connection/i)
    } finally {
      await producer.disconnect()
    }
  })

  it('a wrong client secret: 401 naming the client, from the token endpoint, before the broker is asked', async () => {
    const c = oauthClient('access', { clientSecret: 'wrong-secret-123' })
    const { producer } = oidcProducer(c)
    const error = toActionError(await failure(producer.connect()))
    await producer.disconnect()
    expect(error).toMatchObject({ status: 401, code: 'OAUTH_CLIENT_REJECTED' })
    expect(error.message).toContain(`refused client "${c.clientId}"`)
    expect(error.message).not.toContain('wrong-secret-123')
  })

  it('concurrent producers of the same client share one token request', async () => {
    const topic = await createTopic()
    const c = oauthClient('access')
    const real = globalThis.fetch
    const spy = jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => real(input, init))
    try {
      const producers = Array.from({ length: 4 }, () => oidcProducer(c).producer)
      await Promise.all(producers.map((p) => p.connect()))
      await Promise.all(producers.map((p, i) => p.send({ topic, messages: [{ value: `p${i}` }] })))
      await Promise.all(producers.map((p) => p.disconnect()))
      const tokenCalls = spy.mock.calls.filter(([url]) => String(url) === c.tokenEndpoint)
      expect(tokenCalls).toHaveLength(1)
    } finally {
      spy.mockRestore()
    }
    expect((await readTopic(topic)).map((r) => r.value).sort()).toEqual(['p0', 'p1', 'p2', 'p3'])
  })
})
