/**
 * Scale out: two gateway processes (`npm start`'s scripts/serve.ts) on one config file, each on a port
 * of its own, as N instances run behind a load balancer. Clients post to either; both deliver, every
 * event is in Kafka once (read back with kcat), and each instance's metrics count only what it served
 * (the per-instance state docs/gateway.md lists).
 */
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  ADMIN_TOKEN,
  basic,
  bearer,
  call,
  gatewayConfig,
  readUntil,
  securedServer,
  WRITE_KEY
} from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'
import { spawnServe, type ServeProcess } from '../helpers/serve-process'

jest.setTimeout(180000)

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-scale-out-'))
const servers: ServeProcess[] = []
afterAll(() => {
  for (const s of servers) s.killGroup()
  fs.rmSync(dir, { recursive: true, force: true })
})

const received = (metrics: string): number => {
  const lines = metrics.split('\n').filter((l) => l.startsWith('kafka_gateway_events_received_total{'))
  return lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)
}

it('two instances on one config and two ports both deliver; each counts only its own events', async () => {
  const topic = await createTopic(uniqueTopic('gateway-scale-out'), 3)
  const configFile = path.join(dir, 'config.json')
  fs.writeFileSync(configFile, JSON.stringify(gatewayConfig(topic, securedServer())))
  for (let i = 0; i < 2; i++) {
    servers.push(spawnServe(process.execPath, ['--import', 'tsx', 'scripts/serve.ts', '--config', configFile]))
  }
  const urls = await Promise.all(servers.map(async (s) => (await s.printed(/listening on (http:\/\/\S+)/, 60000))[1]))
  expect(new Set(urls).size).toBe(2)

  // A client round-robins batches and single calls over both instances, as a load balancer would.
  const sent: string[][] = [[], []]
  for (let round = 0; round < 6; round++) {
    const instance = round % 2
    const batch = Array.from({ length: 10 }, (_, i) => ({
      type: 'track',
      event: 'Scaled',
      userId: `user-${i}`,
      messageId: `scale-${instance}-${randomUUID()}`
    }))
    const reply = await call(urls[instance], 'POST', '/v1/batch', { batch }, basic(WRITE_KEY))
    expect(reply.status).toBe(200)
    sent[instance].push(...batch.map((e) => e.messageId))
    const single = { userId: 'user-single', event: 'Scaled', messageId: `scale-${instance}-${randomUUID()}` }
    const one = await call(urls[instance], 'POST', '/v1/track', single, basic(WRITE_KEY))
    expect(one.status).toBe(200)
    sent[instance].push(single.messageId)
  }

  const all = [...sent[0], ...sent[1]]
  const records = await readUntil(topic, (rs) => rs.length >= all.length, 60000)
  expect(records.map((r) => r.key).sort()).toEqual([...all].sort())

  for (const [i, url] of urls.entries()) {
    const metrics = await call(url, 'GET', '/metrics', undefined, bearer(ADMIN_TOKEN))
    expect(metrics.status).toBe(200)
    expect(received(metrics.text)).toBe(sent[i].length)
  }
})
