/**
 * Secrets never leave: with recognisable secret values (password, secretAccessKey, ssl_key), every
 * log line (a full Logger), error message and error property (own keys, enumerable or not, causes,
 * stacks, walked deeply), multistatus entry, stats metric and tag, and pool key is searched for them,
 * on success and failure paths, per event and in batches.
 */
import { createTestEvent, type JSONObject } from '@segment/actions-core'
import { closeAllProducers } from '../../../src'
import { connectionKey } from '../../../src/connection-identity'
import { producerPool } from '../../../src/producers'
import { normaliseSettings } from '../../../src/settings'
import type { Settings } from '../../../src/settings-fields'
import { broker, createTopic, pem } from '../../helpers/kafka'
import { listenersOf } from '../../helpers/settings'
import {
  capturingLogger,
  capturingStats,
  runtime,
  sendBatch,
  sendEvent,
  within,
  type Outcome,
  type StatCall
} from '../../helpers/runtime'

afterAll(closeAllProducers)

const PASSWORD = 'pw-CANARY-7f3a9c-секрет'
const AWS_SECRET = 'AWS+CANARY/secret-d41d8cd98f00b204e980'
const BAD_KEY = 'KEY-CANARY-not-a-pem-9b1e55'

/** Every secret, and for PEM keys every line of the body (a fragment is a leak too). */
function needles(key: string): string[] {
  const lines = key
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith('-----'))
  return [PASSWORD, AWS_SECRET, BAD_KEY, ...lines]
}

/** Every string reachable from `value`: own keys (enumerable or not), values, causes, stacks. */
function strings(value: unknown, path = '$', out: { path: string; text: string }[] = [], seen = new Set<unknown>()) {
  if (typeof value === 'string') {
    out.push({ path, text: value })
    return out
  }
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return out
  if (seen.size > 50_000) return out
  seen.add(value)
  for (const key of Reflect.ownKeys(value)) {
    out.push({ path: `${path}[key]`, text: String(key) })
    let child: unknown
    try {
      child = (value as Record<PropertyKey, unknown>)[key]
    } catch {
      continue
    }
    strings(child, `${path}.${String(key)}`, out, seen)
  }
  if (value instanceof Error) out.push({ path: `${path}#toString`, text: String(value) })
  return out
}

function leaks(things: unknown, secrets: string[]): string[] {
  return strings(things).flatMap(({ path, text }) =>
    secrets.filter((s) => text.includes(s)).map((s) => `${path} contains ${s.slice(0, 12)}...`)
  )
}

describe('secrets never appear in logs, errors, stats or pool keys', () => {
  const key = () => pem('clientKey')
  const b = () => broker().bootstrap
  const cases: { name: string; settings: () => JSONObject; expectOk: boolean }[] = [
    {
      name: 'SCRAM with a wrong password (401)',
      settings: () => listenersOf().sasl('scram-sha-256', { password: PASSWORD }),
      expectOk: false
    },
    {
      name: 'PLAIN with a wrong password (401)',
      settings: () => listenersOf().sasl('plain', { password: PASSWORD }),
      expectOk: false
    },
    {
      name: 'password given but username missing (400)',
      settings: () => ({ brokers: b().sasl, mechanism: 'plain', password: PASSWORD, ssl_enabled: false }),
      expectOk: false
    },
    {
      name: 'password to an unreachable broker (503)',
      settings: () => listenersOf().sasl('plain', { brokers: '127.0.0.1:1', password: PASSWORD }),
      expectOk: false
    },
    {
      name: 'client certificate with its key: success',
      settings: () => listenersOf().mtls(),
      expectOk: true
    },
    {
      name: 'client certificate with a key that does not match (400)',
      settings: () => listenersOf().mtls({ ssl_cert: pem('clientEcCert') }),
      expectOk: false
    },
    {
      name: 'ssl_key that is not a key (400)',
      settings: () => listenersOf().mtls({ ssl_key: BAD_KEY }),
      expectOk: false
    },
    {
      name: 'AWS IAM with a wrong secret key',
      settings: () => listenersOf().iam({ secretAccessKey: AWS_SECRET }),
      expectOk: false
    },
    {
      name: 'AWS IAM without an access key id (400)',
      settings: () => ({ brokers: b().iam, mechanism: 'aws', secretAccessKey: AWS_SECRET, ssl_ca: pem('ca') }),
      expectOk: false
    }
  ]

  it('the search finds a secret hidden in a non-enumerable cause chain (control)', () => {
    const error = new Error('outer')
    Object.defineProperty(error, 'cause', { value: { deep: [{ text: `x${PASSWORD}x` }] }, enumerable: false })
    expect(leaks({ error }, needles(key()))).toEqual([`$.error.cause.deep.0.text contains ${PASSWORD.slice(0, 12)}...`])
  })

  let topic: string
  beforeAll(async () => {
    topic = await createTopic()
  })

  it.each(cases)('$name: per event, in a batch and in the connection test', async (c) => {
    const lines: string[] = []
    const calls: StatCall[] = []
    const options = () => ({ logger: capturingLogger(lines), statsContext: capturingStats(calls, ['tenant:t1']) })
    const mapping: JSONObject = { topic, payload: { '@path': '$.' } }
    const dest = runtime()
    const [one, many, auth]: [Outcome, Outcome[], unknown] = await within(
      40_000,
      Promise.all([
        sendEvent(dest, c.settings(), mapping, createTestEvent(), options()),
        sendBatch(dest, c.settings(), mapping, [createTestEvent(), createTestEvent()], options()),
        dest.testAuthentication(c.settings() as unknown as Settings).then(
          () => 'ok',
          (error: unknown) => error
        )
      ])
    )
    expect(one.ok).toBe(c.expectOk)
    expect(many.every((m) => m.ok === c.expectOk)).toBe(true)
    if (!c.expectOk) expect(auth).not.toBe('ok')

    let poolKey: string | undefined
    try {
      poolKey = connectionKey(normaliseSettings(c.settings() as unknown as Settings))
    } catch {
      // invalid settings have no pool key
    }
    const poolKeys = [...((producerPool as unknown as { cache: Map<string, unknown> }).cache?.keys?.() ?? [])]
    const secrets = needles(key())
    const found = leaks(
      {
        lines,
        stats: calls.map((call) => ({ metric: call.metric, tags: call.tags })),
        one: one.error,
        oneMessage: one.message,
        many: many.map((m) => m.error),
        auth,
        poolKey,
        poolKeys
      },
      secrets
    )
    expect(found).toEqual([])
    // Past settings validation, the capture did see something: logs or stats were written.
    if (one.status !== 400) expect(lines.length + calls.length).toBeGreaterThan(0)
  })
})
