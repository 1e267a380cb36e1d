/**
 * The identity provider stops while a producer is sending, then comes back: once the cached token
 * can no longer be used, sends fail with retryable errors that name the token endpoint; after the
 * restart the same producer, in the same process, sends again.
 */
import { toActionError } from '../../../src/kafka/errors'
import { clearSharedTokenSources } from '../../../src/oauth/token-source'
import { start as startIdp, stop as stopIdp } from '../../../scripts/idp/idp'
import { createTopic, readTopic } from '../../helpers/kafka'
import { oidc, waitFor } from '../../helpers/oidc'
import { oauthClient, oidcProducer } from '../../helpers/oidc-producer'

afterAll(async () => {
  clearSharedTokenSources()
  await startIdp() // whatever happened, the provider runs again for the other tests
}, 400_000)

interface Outcome {
  phase: 'before' | 'down' | 'after'
  ok: boolean
  status?: number
  code?: string
  message?: string
}

it('sends fail retryable while the provider is down and recover in-process after its restart', async () => {
  const topic = await createTopic()
  const { producer } = oidcProducer(oauthClient('access'))
  await producer.connect()
  const outcomes: Outcome[] = []
  let phase: Outcome['phase'] = 'before'
  let running = true
  let n = 0
  const loop = (async () => {
    while (running) {
      const value = `${phase}-${n++}`
      try {
        await producer.send({ topic, messages: [{ value }] })
        outcomes.push({ phase, ok: true, message: value })
      } catch (error) {
        const e = toActionError(error) as Error & { status?: number; code?: string }
        outcomes.push({ phase, ok: false, status: e.status, code: e.code, message: e.message })
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  })()
  try {
    await waitFor(() => outcomes.some((o) => o.ok), 30_000, 'a first send')
    expect(await stopIdp()).toBe(true)
    phase = 'down'
    // The cached token carries the producer a little longer; then its sessions end.
    await waitFor(
      () => outcomes.some((o) => o.phase === 'down' && o.code === 'OAUTH_TOKEN_ENDPOINT_UNREACHABLE'),
      oidc().accessTokenLifespanSeconds * 1000 + 60_000,
      'a send to fail for want of a token'
    )
    await startIdp()
    phase = 'after'
    await waitFor(() => outcomes.some((o) => o.phase === 'after' && o.ok), 90_000, 'a send after the restart')
  } finally {
    running = false
    await loop
    await producer.disconnect()
  }
  const failures = outcomes.filter((o) => !o.ok)
  // Every failure is retryable (5xx), none says the credentials are wrong.
  expect(failures.filter((f) => (f.status ?? 0) < 500)).toEqual([])
  const unreachable = failures.find((f) => f.code === 'OAUTH_TOKEN_ENDPOINT_UNREACHABLE')
  expect(unreachable?.status).toBe(503)
  expect(unreachable?.message).toContain(`Cannot reach the token endpoint ${oidc().tokenEndpoint}`)
  // What was acknowledged is in the topic, read back by kcat.
  const written = new Set((await readTopic(topic)).map((r) => r.value))
  for (const o of outcomes.filter((x) => x.ok)) expect(written.has(o.message ?? '')).toBe(true)
}, 400_000)
