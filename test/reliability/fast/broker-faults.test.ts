/**
 * Faults of the broker itself, on one broker of this file's own (never the shared one): SIGKILL in
 * the middle of a stream and a restart with its data; connections the broker closes when idle; and
 * TLS listeners whose certificate must fail verification (another CA; another host name).
 * The long version of the kill scenario (20,000 events) is in test/reliability/long/.
 */
import * as fs from 'node:fs'
import { createTestEvent, type JSONObject } from '@segment/actions-core'
import { closeAllProducers } from '../../../src'
import { brokerKillRun, expectNothingLost } from '../../helpers/broker-kill'
import { FAST_RESTART, openSocketsTo, ownBroker, ownBrokerDir, sleep, useOwnBroker } from '../../helpers/fault-broker'
import {
  capturingStats,
  retryable,
  runtime,
  sendEvent,
  within,
  type Outcome,
  type StatCall
} from '../../helpers/runtime'
import { SLOTS } from '../../helpers/own-ports'
import { plaintextAt } from '../../helpers/settings'
import { negativePki, negativeTlsOverrides } from '../../helpers/tls-negative'

const NAME = 'faults'
const IDLE_MS = 3000
const pki = negativePki(ownBrokerDir(NAME))
const b = ownBroker(NAME, SLOTS.brokerFaults, {
  'connections.max.idle.ms': IDLE_MS,
  ...FAST_RESTART,
  ...negativeTlsOverrides(pki)
})

useOwnBroker(b, closeAllProducers)

describe('broker killed (SIGKILL) mid-stream and restarted with its data', () => {
  it('per-event path, 20 in flight: every event acknowledged and in the topic, or a retryable error', async () => {
    const f = await brokerKillRun(b, { path: 'event', events: 2000, concurrency: 20 })
    expectNothingLost('broker kill', f)
  }, 300_000)

  it('batch path, batches of 100, 4 in flight: the same accounting per event', async () => {
    const f = await brokerKillRun(b, { path: 'batch', events: 2000, concurrency: 4, batchSize: 100 })
    expectNothingLost('broker kill', f)
  }, 300_000)
})

describe('connections the broker closes when idle (connections.max.idle.ms)', () => {
  it('the pooled producer is reused on the next event and the event lands', async () => {
    const topic = await b.createTopic(`idle-${Date.now()}`)
    const dest = runtime()
    const settings: JSONObject = plaintextAt(b.bootstrap, { clientId: 'idle' })
    const mapping: JSONObject = { topic, payload: { '@path': '$.' } }
    const calls: StatCall[] = []
    const send = (n: number) =>
      sendEvent(dest, settings, mapping, createTestEvent({ properties: { n } }), {
        statsContext: capturingStats(calls)
      })
    const brokerClosedOurSockets = async (): Promise<number> => {
      const deadline = Date.now() + IDLE_MS * 5
      while (openSocketsTo(b.ports.plaintext) > 0 && Date.now() < deadline) await sleep(200)
      return openSocketsTo(b.ports.plaintext)
    }

    expect(await send(1)).toEqual({ ok: true, status: 200 })
    expect(openSocketsTo(b.ports.plaintext)).toBeGreaterThan(0)
    for (const n of [2, 3]) {
      expect(await brokerClosedOurSockets()).toBe(0)
      expect(await send(n)).toEqual({ ok: true, status: 200 })
    }
    const pool = calls.filter((c) => c.metric.startsWith('kafka.pool.')).map((c) => c.metric)
    // One producer built for the first event, then reused after each close by the broker.
    expect(pool).toEqual(['kafka.pool.miss', 'kafka.pool.hit', 'kafka.pool.hit'])
    const records = await b.readTopic(topic)
    expect(records.map((r) => JSON.parse(r.value ?? '{}').properties.n)).toEqual([1, 2, 3])
  }, 60_000)
})

describe('TLS: broker certificates that must not verify', () => {
  const trustedCa = fs.readFileSync(pki.trustedCa, 'utf8')
  const otherCa = (extra: JSONObject = {}): JSONObject => ({
    brokers: `127.0.0.1:${b.ports.ssl}`,
    mechanism: 'none',
    ssl_enabled: true,
    clientId: 'tls-other-ca',
    ...extra
  })
  const wrongName = (extra: JSONObject = {}): JSONObject => ({
    brokers: `127.0.0.1:${b.ports.saslSsl}`,
    mechanism: 'plain',
    username: 'alice',
    password: 'alice-secret',
    ssl_enabled: true,
    clientId: 'tls-wrong-name',
    ...extra
  })
  const rows: { name: string; settings: () => JSONObject; code: RegExp; says: RegExp }[] = [
    {
      name: 'certificate from another CA, ssl_ca = the trusted CA',
      settings: () => otherCa({ ssl_ca: trustedCa }),
      code: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN/,
      says: /not signed by a trusted CA.*ssl_ca/
    },
    {
      name: 'certificate from another CA, public CAs only',
      settings: () => otherCa(),
      code: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN/,
      says: /not signed by a trusted CA.*ssl_ca/
    },
    {
      name: 'host name mismatch (certificate for wrong.example), broker given by IP',
      settings: () => wrongName({ ssl_ca: trustedCa }),
      code: /ERR_TLS_CERT_ALTNAME_INVALID/,
      says: /host name is not in its certificate/
    },
    {
      name: 'host name mismatch, broker given as localhost',
      settings: () => wrongName({ ssl_ca: trustedCa, brokers: `localhost:${b.ports.saslSsl}` }),
      code: /ERR_TLS_CERT_ALTNAME_INVALID/,
      says: /host name is not in its certificate/
    }
  ]

  // The rejections run at once: kafkajs retries a failed TLS connection for ~10 s before it reports.
  let rejected: { r: Outcome; ms: number; auth: unknown }[]
  beforeAll(async () => {
    const topic = await b.createTopic(`tls-${Date.now()}`)
    rejected = await Promise.all(
      rows.map(async (row) => {
        const t0 = Date.now()
        const [r, auth] = await within(
          20_000,
          Promise.all([
            sendEvent(runtime(), row.settings(), { topic, payload: { '@path': '$.' } }, createTestEvent()),
            runtime()
              .testAuthentication(row.settings() as never)
              .then(
                () => 'ok',
                (error: unknown) => error
              )
          ])
        )
        const ms = Date.now() - t0
        process.stderr.write(`[reliability] TLS ${row.name}: ${r.status} ${r.code} after ${ms} ms\n`)
        return { r, ms, auth }
      })
    )
  }, 60_000)

  it.each(rows.map((row, i) => [row.name, row, i] as const))(
    '%s: rejected, 400, not retried, within 20 s; the connection test says the same',
    (_name, row, i) => {
      const { r, auth } = rejected[i]
      expect(r.ok).toBe(false)
      expect(r.status).toBe(400)
      expect(retryable(r.status)).toBe(false)
      expect(r.code).toMatch(row.code)
      expect(r.message).toMatch(row.says)
      expect((auth as Error).message).toMatch(row.says)
    }
  )

  it.each(rows)('$name: passes only with ssl_reject_unauthorized_ca false (event read back)', async (row) => {
    const topic = await b.createTopic(`tls-off-${Date.now()}`)
    const r = await within(
      15_000,
      sendEvent(
        runtime(),
        { ...row.settings(), ssl_reject_unauthorized_ca: false },
        { topic, payload: { '@path': '$.' } },
        createTestEvent({ messageId: `tls-off-${row.name}` })
      )
    )
    expect(r).toEqual({ ok: true, status: 200 })
    const records = await b.readTopic(topic)
    expect(records.map((x) => JSON.parse(x.value ?? '{}').messageId)).toEqual([`tls-off-${row.name}`])
  })
})
