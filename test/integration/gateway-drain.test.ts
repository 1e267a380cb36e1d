/**
 * SIGTERM under load through `npm start` (scripts/serve.ts) with a config file: clients keep posting
 * batches through the tracking API while the server is told to stop. It stops accepting, answers what is
 * in flight, closes the producers and exits 0; every event of every request answered 200 is in Kafka.
 */
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { basic, call, gatewayConfig, readUntil, securedServer, WRITE_KEY } from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'
import { spawnServe, type ServeProcess } from '../helpers/serve-process'

jest.setTimeout(180000)

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-drain-'))
let server: ServeProcess | undefined
// Whatever the server started goes with its process group.
afterEach(() => server?.killGroup())
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const CLIENTS = 8
const BATCH = 50

it('drains on SIGTERM under load: exit 0, and 0 events answered 200 are missing from Kafka', async () => {
  const topic = await createTopic(uniqueTopic('gateway-drain'), 3)
  const configFile = path.join(dir, 'config.json')
  fs.writeFileSync(configFile, JSON.stringify(gatewayConfig(topic, securedServer({ drainTimeoutMs: 30000 }))))
  // As `npm start` runs it: node with tsx's loader in the same process (the tsx command would put a
  // signal-relaying parent in front of the server).
  server = spawnServe(process.execPath, ['--import', 'tsx', 'scripts/serve.ts', '--config', configFile])
  const { child, exited, stderr } = server
  const url = (await server.printed(/listening on (http:\/\/\S+)/, 60000))[1]

  const acked: string[] = []
  const refused: number[] = []
  let answered = 0
  let signalled = false
  const client = async (): Promise<void> => {
    for (;;) {
      const batch = Array.from({ length: BATCH }, () => ({
        type: 'track',
        event: 'Load',
        userId: 'load',
        messageId: `drain-${randomUUID()}`
      }))
      let reply: Awaited<ReturnType<typeof call>>
      try {
        reply = await call(url, 'POST', '/v1/batch', { batch }, basic(WRITE_KEY))
      } catch (error) {
        if (signalled) return // connection refused or reset: the server is gone
        throw error
      }
      answered++
      const { status } = reply
      if (status === 200) {
        acked.push(...batch.map((e) => e.messageId))
      } else if (status === 503) refused.push(status)
      else throw new Error(`unexpected status ${status}: ${reply.text}`)
      if (signalled && status !== 200) return
    }
  }
  let running = CLIENTS
  const clients = Array.from({ length: CLIENTS }, () => client().finally(() => running--))
  // Signal once the load is flowing (a condition, not a time); a client that stops early fails the test.
  while (answered < 20) {
    if (running < CLIENTS || child.exitCode !== null) {
      await Promise.all(clients)
      throw new Error(`the load stopped before the signal:\n${stderr().slice(-3000)}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  signalled = true
  process.kill(child.pid as number, 'SIGTERM')
  await Promise.all(clients)
  const code = await exited
  if (code !== 0) process.stderr.write(`server stderr:\n${stderr().slice(-3000)}\n`)
  expect(code).toBe(0)
  expect(stderr()).toMatch(/SIGTERM: closing the server and the Kafka producers[\s\S]*"msg":"closed"/)

  expect(acked.length).toBeGreaterThanOrEqual(20 * BATCH)
  const records = await readUntil(topic, (rs) => rs.length >= acked.length, 60000)
  const keys = new Set(records.map((r) => r.key))
  const lost = acked.filter((id) => !keys.has(id))
  expect(lost).toEqual([])
})
