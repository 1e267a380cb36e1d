/**
 * The harness itself, on a second broker in its own folder and ports (the shared one is never
 * touched): idempotent start, stop leaves no process, data survives a stop and a crash, reset wipes it.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { kill, reset, start, status, stop, type BrokerOptions } from '../../scripts/broker/broker'
import { ownPorts, SLOTS } from '../helpers/own-ports'

const ports = ownPorts(SLOTS.brokerLifecycle)
const options: BrokerOptions = {
  dir: fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-lifecycle-')),
  ports
}
const kafka = new Kafka({
  brokers: [`127.0.0.1:${ports.plaintext}`],
  clientId: 'lifecycle',
  logLevel: logLevel.NOTHING
})

async function topics(): Promise<string[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await admin.listTopics()
  } finally {
    await admin.disconnect()
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

afterAll(async () => {
  await stop(options)
  fs.rmSync(options.dir as string, { recursive: true, force: true })
})

it('starts once, reuses, keeps data across stop and crash, and reset wipes it', async () => {
  const first = await start(options)
  expect(first.started).toBe(true)
  const again = await start(options)
  expect(again).toMatchObject({ started: false, info: { pid: first.info.pid } })

  const s = await status(options)
  expect(s.running).toBe(true)
  expect(s.listeners.every((l) => l.answers)).toBe(true)

  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'kept' }], waitForLeaders: true })
  await admin.disconnect()

  expect(await stop(options)).toBe(true)
  expect(isAlive(first.info.pid)).toBe(false)
  expect((await status(options)).listeners.some((l) => l.answers)).toBe(false)

  const second = await start(options)
  expect(await topics()).toContain('kept')
  await kill(options) // a crash: SIGKILL
  expect(isAlive(second.info.pid)).toBe(false)
  await start(options)
  expect(await topics()).toContain('kept')

  await reset(options)
  await start(options)
  expect(await topics()).not.toContain('kept')
}, 180_000)
