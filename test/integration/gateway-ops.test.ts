/**
 * What an operator watches: /health, /ready (brokers answer or not), /metrics as Prometheus text parsed by
 * the official Python client's parser, and the JSON request log lines.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Writable } from 'node:stream'
import { createLogger } from '../../src/local/logger'
import { startServer, type RunningServer } from '../../src/local/server'
import {
  ADMIN_TOKEN,
  basic,
  bearer,
  call,
  gatewayConfig,
  plaintextSettings,
  securedServer,
  WRITE_KEY
} from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'
import { ensureVenv, runPython } from '../helpers/python-venv'

jest.setTimeout(180000)

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(json.loads(sys.argv[1])).read()
print(json.dumps({f.name: {"type": f.type, "samples": [[s.name, s.labels, s.value] for s in f.samples]}
                  for f in text_string_to_metric_families(text)}))
`

type Families = Record<string, { type: string; samples: [string, Record<string, string>, number][] }>

describe('operations', () => {
  let server: RunningServer
  let topic: string
  const lines: string[] = []
  beforeAll(async () => {
    await ensureVenv()
    topic = await createTopic(uniqueTopic('gateway-ops'))
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean))
        done()
      }
    })
    server = await startServer({ port: 0, config: gatewayConfig(topic, securedServer()), logger: createLogger(stream) })
  })
  afterAll(() => server?.close())

  it('GET /health: alive; GET /ready: the brokers answer', async () => {
    expect(await call(server.url, 'GET', '/health')).toMatchObject({ status: 200, body: { ok: true } })
    expect(await call(server.url, 'GET', '/ready')).toMatchObject({ status: 200, body: { ok: true, status: 'ready' } })
  })

  it('GET /ready: 503 when the brokers do not answer (without naming them)', async () => {
    const config = gatewayConfig(topic, securedServer())
    config.settings = { ...plaintextSettings(), brokers: '127.0.0.1:21199' }
    const unready = await startServer({ port: 0, config })
    try {
      const reply = await call(unready.url, 'GET', '/ready')
      expect(reply).toMatchObject({ status: 503, body: { ok: false, code: 'ECONNREFUSED' } })
      expect(reply.text).not.toContain('21199')
      // The admin sees the cause in words, naming the broker.
      const admin = await call(unready.url, 'GET', '/ready', undefined, bearer(ADMIN_TOKEN))
      expect(admin).toMatchObject({
        status: 503,
        body: { code: 'ECONNREFUSED', message: expect.stringContaining('21199') }
      })
    } finally {
      await unready.close()
    }
  })

  it('GET /ready: a broker host that does not resolve is ENOTFOUND, named to the admin', async () => {
    const config = gatewayConfig(topic, securedServer())
    config.settings = { ...plaintextSettings(), brokers: 'no-such-broker.invalid:9092' }
    const unready = await startServer({ port: 0, config })
    try {
      const reply = await call(unready.url, 'GET', '/ready', undefined, bearer(ADMIN_TOKEN))
      expect(reply).toMatchObject({
        status: 503,
        body: { ok: false, code: 'ENOTFOUND', message: expect.stringContaining('no-such-broker.invalid') }
      })
    } finally {
      await unready.close()
    }
  })

  it('GET /metrics behind server.metricsToken: 401 without it, 200 with it or the admin token', async () => {
    const metricsToken = 'mt-0123456789abcdef'
    const guarded = await startServer({ port: 0, config: gatewayConfig(topic, securedServer({ metricsToken })) })
    try {
      const refused = await call(guarded.url, 'GET', '/metrics', undefined, bearer('mt-wrong-token-000000'))
      expect(refused.status).toBe(401)
      expect(refused.headers['www-authenticate']).toBe('Bearer')
      expect(refused.text).not.toContain(metricsToken)
      expect((await call(guarded.url, 'GET', '/metrics', undefined, basic(WRITE_KEY))).status).toBe(401)
      const ok = await call(guarded.url, 'GET', '/metrics', undefined, bearer(metricsToken))
      expect(ok.status).toBe(200)
      expect(ok.text).toContain('kafka_gateway_events_received_total')
      expect((await call(guarded.url, 'GET', '/metrics', undefined, bearer(ADMIN_TOKEN))).status).toBe(200)
    } finally {
      await guarded.close()
    }
  })

  it('GET /metrics parses as Prometheus text, with every documented metric', async () => {
    await call(server.url, 'POST', '/v1/track', { userId: 'u', event: 'E' }, basic(WRITE_KEY))
    await call(server.url, 'POST', '/v1/track', { userId: 'u', event: 'E' }, basic('wk-wrong-00000000'))
    await call(
      server.url,
      'POST',
      '/v1/batch',
      {
        batch: [
          { type: 'track', userId: 'u', event: 'E' },
          { type: 'identify', userId: 'u' }
        ]
      },
      basic(WRITE_KEY)
    )
    const reply = await call(server.url, 'GET', '/metrics')
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-')), 'metrics.txt')
    fs.writeFileSync(file, reply.text)
    const families = JSON.parse(await runPython(PARSE, file)) as Families
    fs.rmSync(path.dirname(file), { recursive: true, force: true })

    const p = 'kafka_gateway_'
    expect(families[`${p}events_received`]).toMatchObject({ type: 'counter' })
    expect(families[`${p}events_sent`].samples).toEqual(
      expect.arrayContaining([[`${p}events_sent_total`, { write_key: 'web', subscription: 'all', topic }, 3]])
    )
    for (const name of ['events_failed', 'events_dead_lettered', 'events_not_subscribed', 'http_requests'])
      expect(families[`${p}${name}`]).toMatchObject({ type: 'counter' })
    expect(families[`${p}send_duration_seconds`]).toMatchObject({ type: 'histogram' })
    expect(families[`${p}events_in_flight`]).toMatchObject({ type: 'gauge' })
    expect(families[`${p}producer_pool_size`].samples[0][2]).toBeGreaterThanOrEqual(1)
    expect(families[`${p}http_requests`].samples).toEqual(
      expect.arrayContaining([[`${p}http_requests_total`, { route: '/v1/track', status: '401' }, 1]])
    )
  })

  it('logs one JSON line per request at info, naming the caller', () => {
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request')
    expect(requests.length).toBeGreaterThanOrEqual(5)
    for (const r of requests) {
      expect(r).toMatchObject({
        level: 30,
        method: expect.any(String),
        path: expect.any(String),
        status: expect.any(Number)
      })
      expect(r.ms).toEqual(expect.any(Number))
    }
    expect(requests).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/v1/batch', caller: 'web', events: 2, status: 200 })])
    )
  })
})
