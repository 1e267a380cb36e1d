/**
 * Mechanism oauthbearer through the destination, as a runtime drives it: the connection test tells
 * every failure apart; events are sent per event and in batches, read back by kcat, and their SASL
 * extensions are seen by the broker; the client secret appears in no log, error, stat or pool key.
 */
import * as fs from 'node:fs'
import { createTestEvent, type JSONObject } from '@segment/actions-core'
import { closeAllProducers } from '../../../src'
import { connectionKey } from '../../../src/connection-identity'
import { producerPool } from '../../../src/producers'
import { testConnection } from '../../../src/topics'
import { normaliseSettings } from '../../../src/settings'
import type { Settings } from '../../../src/settings-fields'
import { broker, createTopic, readTopic } from '../../helpers/kafka'
import { client, logOffset, oidc, sessionsSince, waitFor } from '../../helpers/oidc'
import {
  capturingLogger,
  capturingStats,
  runtime,
  sendBatch,
  sendEvent,
  within,
  type StatCall
} from '../../helpers/runtime'

afterAll(closeAllProducers)

const CANARY = 'oauth-CANARY-secret-5e2d'
/** The provider's HTTP port + 9: nothing listens there (the management port is + 10). */
const CLOSED_ENDPOINT = `http://127.0.0.1:${Number(process.env.IDP_HTTP_PORT ?? 18180) + 9}/token`

function settings(kind: Parameters<typeof client>[0] = 'access', extra: JSONObject = {}): JSONObject {
  const c = client(kind)
  return {
    brokers: oidc().bootstrap,
    mechanism: 'oauthbearer',
    oauth_token_endpoint: oidc().tokenEndpoint,
    oauth_client_id: c.clientId,
    oauth_client_secret: c.clientSecret,
    ssl_ca: fs.readFileSync(broker().pki.ca, 'utf8'),
    ...extra
  }
}

/** The connection test (`testAuthentication`) as the definition runs it, before the runtime wraps its message. */
const connectionTest = (s: JSONObject): Promise<{ status?: number; code?: string; message: string } | 'ok'> =>
  testConnection(s as unknown as Settings).then(
    () => 'ok' as const,
    (e: { status?: number; code?: string; message: string }) => e
  )

describe('the connection test tells OAuth failures apart', () => {
  it('the client with access: ok', async () => {
    expect(await connectionTest(settings())).toBe('ok')
  })

  it.each([
    {
      name: 'wrong secret',
      s: () => settings('access', { oauth_client_secret: CANARY }),
      status: 401,
      code: 'OAUTH_CLIENT_REJECTED',
      says: () =>
        `refused client "${client('access').clientId}" (unauthorized_client: Invalid client or Invalid client credentials)`
    },
    {
      name: 'client without the client-credentials grant',
      s: () => settings('no-access'),
      status: 401,
      code: 'OAUTH_CLIENT_REJECTED',
      says: () =>
        `refused client "${client('no-access').clientId}" (unauthorized_client: Client not enabled to retrieve service account)`
    },
    {
      name: 'token for another audience',
      s: () => settings('other-audience'),
      status: 401,
      code: 'OAUTH_TOKEN_REJECTED',
      says: () => 'the broker rejected the token of client "other-service"'
    },
    {
      name: 'unknown scope',
      s: () => settings('access', { oauth_scope: 'no-such-scope' }),
      status: 400,
      code: 'OAUTH_INVALID_SCOPE',
      says: () => 'refused the scope "no-such-scope"'
    },
    {
      name: 'token endpoint unreachable',
      s: () => settings('access', { oauth_token_endpoint: CLOSED_ENDPOINT }),
      status: 503,
      code: 'OAUTH_TOKEN_ENDPOINT_UNREACHABLE',
      says: () => `Cannot reach the token endpoint ${CLOSED_ENDPOINT}: connect ECONNREFUSED`
    },
    {
      name: 'token endpoint that is not a URL',
      s: () => settings('access', { oauth_token_endpoint: 'idp.example.com/token' }),
      status: 400,
      code: 'INVALID_SETTINGS',
      says: () => 'oauth_token_endpoint "idp.example.com/token" is not a URL'
    }
  ])('$name: $status $code', async ({ s, status, code, says }) => {
    const result = await within(15_000, connectionTest(s()))
    expect(result).toMatchObject({ status, code })
    expect((result as { message: string }).message).toContain(says())
  })

  it('the other audience: the message gives the broker reason and the audience the token had', async () => {
    const result = (await connectionTest(settings('other-audience'))) as { message: string }
    expect(result.message).toContain('(invalid_token)')
    expect(result.message).toContain('audience other-api')
  })
})

describe('sending with mechanism oauthbearer', () => {
  it('per event and in a batch, with SASL extensions the broker receives; kcat reads the records back', async () => {
    const topic = await createTopic()
    const from = logOffset()
    const s = settings('access', {
      oauth_scope: oidc().scope,
      oauth_extensions: 'logicalCluster=lkc-dest1, identityPoolId=pool-dest2',
      clientId: 'oidc-destination-test'
    })
    const mapping: JSONObject = { topic, key: { '@path': '$.userId' }, payload: { '@path': '$.properties' } }
    const dest = runtime()
    const one = await sendEvent(dest, s, mapping, createTestEvent({ userId: 'u1', properties: { n: 1 } }))
    expect(one).toMatchObject({ ok: true })
    const many = await sendBatch(dest, s, mapping, [
      createTestEvent({ userId: 'u2', properties: { n: 2 } }),
      createTestEvent({ userId: 'u3', properties: { n: 3 } })
    ])
    expect(many.map((m) => m.ok)).toEqual([true, true])
    const records = await readTopic(topic)
    expect(records.map((r) => [r.key, r.value])).toEqual([
      ['u1', '{"n":1}'],
      ['u2', '{"n":2}'],
      ['u3', '{"n":3}']
    ])
    await waitFor(() => sessionsSince(from).length > 0, 10_000, 'the broker to log the session')
    const seen = sessionsSince(from)
    expect(seen.every((x) => x.principal === client('access').clientId)).toBe(true)
    expect(seen.map((x) => x.extensions)).toContain('{identityPoolId=pool-dest2, logicalCluster=lkc-dest1}')
  })
})

/** Every string reachable from `value`: own keys (enumerable or not), values, causes, stacks. */
function strings(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') {
    out.push(value)
    return out
  }
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return out
  seen.add(value)
  for (const key of Reflect.ownKeys(value)) {
    out.push(String(key))
    let child: unknown
    try {
      child = (value as Record<PropertyKey, unknown>)[key]
    } catch {
      continue
    }
    strings(child, out, seen)
  }
  if (value instanceof Error) out.push(String(value))
  return out
}

describe('the client secret never leaves', () => {
  it.each([
    { name: 'wrong secret', s: () => settings('access', { oauth_client_secret: CANARY }), ok: false },
    { name: 'right secret, success', s: () => settings('access'), ok: true },
    { name: 'right secret, token rejected by the broker', s: () => settings('other-audience'), ok: false },
    {
      name: 'secret sent to an unreachable endpoint',
      s: () => settings('access', { oauth_client_secret: CANARY, oauth_token_endpoint: CLOSED_ENDPOINT }),
      ok: false
    }
  ])('$name: not in logs, errors, stats or pool keys', async ({ s, ok }) => {
    const topic = await createTopic()
    const lines: string[] = []
    const calls: StatCall[] = []
    const options = () => ({ logger: capturingLogger(lines), statsContext: capturingStats(calls, ['tenant:t1']) })
    const mapping: JSONObject = { topic, payload: { '@path': '$.' } }
    const dest = runtime()
    const [one, many, auth] = await within(
      40_000,
      Promise.all([
        sendEvent(dest, s(), mapping, createTestEvent(), options()),
        sendBatch(dest, s(), mapping, [createTestEvent(), createTestEvent()], options()),
        // As the runtime runs the connection test.
        dest.testAuthentication(s() as unknown as Settings).then(
          () => 'ok',
          (error: unknown) => error
        )
      ])
    )
    expect([one.ok, one.message]).toEqual([ok, one.message])
    expect(many.map((m) => [m.ok, m.message])).toEqual(many.map((m) => [ok, m.message]))
    const secret = String(s().oauth_client_secret)
    const poolKeys = [...((producerPool as unknown as { cache: Map<string, unknown> }).cache?.keys?.() ?? [])]
    const everything = strings({
      lines,
      stats: calls.map((c) => ({ metric: c.metric, tags: c.tags })),
      one: one.error,
      oneMessage: one.message,
      many: many.map((m) => m.error),
      auth,
      poolKey: connectionKey(normaliseSettings(s() as unknown as Settings)),
      poolKeys
    })
    expect(everything.filter((text) => text.includes(secret))).toEqual([])
    expect(lines.length + calls.length).toBeGreaterThan(0)
  })
})
