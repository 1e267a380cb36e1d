/**
 * SIGTERM under load through `npm start` (scripts/serve.ts) with a config file: clients keep posting
 * batches through the tracking API while the server is told to stop. It stops accepting, answers what is
 * in flight, closes the producers and exits 0; every event of every request answered 200 is in Kafka.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { basic, call, gatewayConfig, readUntil, securedServer, WRITE_KEY } from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'

jest.setTimeout(180000)

const root = path.resolve(__dirname, '..', '..')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-drain-'))
let child: ChildProcess | undefined
afterEach(() => {
  // Whatever the server started goes with its process group.
  if (child?.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const CLIENTS = 8
const BATCH = 50

it('drains on SIGTERM under load: exit 0, and 0 events answered 200 are missing from Kafka', async () => {
  const topic = await createTopic(uniqueTopic('gateway-drain'), 3)
  const configFile = path.join(dir, 'config.json')
  fs.writeFileSync(configFile, JSON.stringify(gatewayConfig(topic, securedServer({ drainTimeoutMs: 30000 }))))
  // As `npm start` runs it: node with tsx's loader in the same process (the tsx command would put a
  // signal-relaying parent in front of the server).
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts', '--config', configFile], {
    cwd: root,
    env: { ...process.env, PORT: '0', KAFKA_BROKERS: '', KAFKA_CONFIG_FILE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)))
  const deadline = Date.now() + 60000
  while (!/listening on (http:\/\/\S+)/.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start:\n${stdout}\n${stderr}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const url = (/listening on (http:\/\/\S+)/.exec(stdout) as RegExpExecArray)[1]

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
      throw new Error(`the load stopped before the signal:\n${stderr.slice(-3000)}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  signalled = true
  process.kill(child.pid as number, 'SIGTERM')
  await Promise.all(clients)
  const code = await exited
  if (code !== 0) process.stderr.write(`server stderr:\n${stderr.slice(-3000)}\n`)
  expect(code).toBe(0)
  expect(stderr).toMatch(/SIGTERM: closing the server and the Kafka producers[\s\S]*"msg":"closed"/)

  expect(acked.length).toBeGreaterThanOrEqual(20 * BATCH)
  const records = await readUntil(topic, (rs) => rs.length >= acked.length, 60000)
  const keys = new Set(records.map((r) => r.key))
  const lost = acked.filter((id) => !keys.has(id))
  expect(lost).toEqual([])
})
