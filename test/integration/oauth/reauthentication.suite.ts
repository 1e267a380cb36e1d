/**
 * A producer keeps sending across several token lifetimes (the test realm's tokens live 30 s): the
 * broker ends each session when its token expires, and kafkajs re-authenticates on the open
 * connections with fresh tokens from the cache. Seen from the broker's log (one line per
 * authentication, with the token's expiry) and the producer's socket count.
 */
import { clearSharedTokenSources } from '../../../src/oauth/token-source'
import { createTopic, readTopic } from '../../helpers/kafka'
import { client, logOffset, oidc, sessionsSince } from '../../helpers/oidc'
import { oauthClient, oidcProducer } from '../../helpers/oidc-producer'

afterAll(() => clearSharedTokenSources())

const LIFETIMES = 3.3

it(`keeps sending across ${LIFETIMES} token lifetimes, re-authenticating on open connections`, async () => {
  const topic = await createTopic()
  const lifetimeMs = oidc().accessTokenLifespanSeconds * 1000
  const from = logOffset()
  const { producer, connections } = oidcProducer(oauthClient('access'))
  await producer.connect()
  const sent: string[] = []
  try {
    const end = Date.now() + LIFETIMES * lifetimeMs
    for (let i = 0; Date.now() < end; i++) {
      await producer.send({ topic, messages: [{ value: `m${i}` }] })
      sent.push(`m${i}`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  } finally {
    await producer.disconnect()
  }
  const sessions = sessionsSince(from).filter((s) => s.principal === client('access').clientId)
  const tokens = new Set(sessions.map((s) => s.tokenExpiresAtMs))
  // A fresh token for every lifetime, and more authentications than connections: re-authentications.
  expect(tokens.size).toBeGreaterThanOrEqual(Math.floor(LIFETIMES) + 1)
  expect(sessions.length - connections()).toBeGreaterThanOrEqual(Math.floor(LIFETIMES))
  expect((await readTopic(topic)).map((r) => r.value)).toEqual(sent)
}, 240_000)
