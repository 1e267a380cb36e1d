/**
 * The identity provider stops while the destination is sending, then comes back: once the cached token
 * can no longer be used, events fail with retryable errors that name the token endpoint; after the
 * restart the same process (the same pooled producer) sends again. Driven as a runtime drives the
 * destination; what was acknowledged is read back by kcat.
 */
import * as fs from 'node:fs'
import { createTestEvent, type JSONObject } from '@segment/actions-core'
import { start as startIdp, stop as stopIdp } from '../../../scripts/idp/idp'
import { closeAllProducers } from '../../../src'
import { broker, createTopic, readTopic } from '../../helpers/kafka'
import { client, oidc, waitFor } from '../../helpers/oidc'
import { retryable, runtime, sendEvent } from '../../helpers/runtime'

afterAll(async () => {
  await closeAllProducers()
  await startIdp() // whatever happened, the provider runs again for the other tests
}, 400_000)

interface Outcome {
  phase: 'before' | 'down' | 'after'
  ok: boolean
  status: number
  code?: string
  message?: string
  value: string
}

it('sends fail retryable while the provider is down and recover in-process after its restart', async () => {
  const topic = await createTopic()
  const c = client('access')
  const settings: JSONObject = {
    brokers: oidc().bootstrap,
    mechanism: 'oauthbearer',
    oauth_token_endpoint: oidc().tokenEndpoint,
    oauth_client_id: c.clientId,
    oauth_client_secret: c.clientSecret,
    ssl_ca: fs.readFileSync(broker().pki.ca, 'utf8')
  }
  const mapping: JSONObject = { topic, payload: { '@path': '$.properties' } }
  const dest = runtime()
  const outcomes: Outcome[] = []
  let phase: Outcome['phase'] = 'before'
  let running = true
  let n = 0
  const loop = (async () => {
    while (running) {
      const value = `${phase}-${n++}`
      const o = await sendEvent(dest, settings, mapping, createTestEvent({ properties: { value } }))
      outcomes.push({ phase, ok: o.ok, status: o.status, code: o.code, message: o.message, value })
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
  }
  const failures = outcomes.filter((o) => !o.ok)
  // Every failure is one the runtime retries; none says the credentials are wrong.
  expect(failures.filter((f) => !retryable(f.status))).toEqual([])
  const unreachable = failures.find((f) => f.code === 'OAUTH_TOKEN_ENDPOINT_UNREACHABLE')
  expect(unreachable?.status).toBe(503)
  expect(unreachable?.message).toContain(`Cannot reach the token endpoint ${oidc().tokenEndpoint}`)
  // What was acknowledged is in the topic, read back by kcat.
  const written = new Set((await readTopic(topic)).map((r) => JSON.parse(r.value ?? '{}').value as string))
  for (const o of outcomes.filter((x) => x.ok)) expect(written.has(o.value)).toBe(true)
  process.stderr.write(
    `[provider-restart] ${outcomes.length} sends: ${outcomes.filter((o) => o.ok).length} ok, ${failures.length} failed (${[...new Set(failures.map((f) => `${f.status} ${f.code}`))].join(', ')})\n`
  )
}, 400_000)
