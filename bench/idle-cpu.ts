/**
 * Client CPU of connected producers doing nothing: ours (through the port, kafkajs's request queue
 * without its idle loop) against plain kafkajs producers, each measured in a fresh process.
 *
 *   tsx bench/idle-cpu.ts [producers] [seconds]      (the project's broker must be running)
 */
import { fork } from 'node:child_process'
import { brokerAddresses, formatBroker } from '../src/brokers'

const producers = Number(process.argv[2] ?? 10)
const seconds = Number(process.argv[3] ?? 5)
const brokers = `127.0.0.1:${process.env.KAFKA_PLAINTEXT_PORT ?? 19092}`

async function child(kind: 'ours' | 'kafkajs'): Promise<void> {
  const topic = 'bench-idle-cpu'
  const disconnects: (() => Promise<void>)[] = []
  for (let i = 0; i < producers; i++) {
    if (kind === 'ours') {
      const { createKafkaProducer } = await import('../src/kafka/producer')
      const { normaliseSettings } = await import('../src/settings')
      const pooled = createKafkaProducer(
        normaliseSettings({ brokers, clientId: `idle-${i}`, mechanism: 'none', ssl_enabled: false })
      )
      await pooled.connect()
      await pooled.value.send(topic, [{ value: 'x' }], { acks: -1, compression: 'none' })
      disconnects.push(() => pooled.disconnect())
    } else {
      const { Kafka, logLevel } = await import('kafkajs')
      const addresses = brokerAddresses(brokers).map(formatBroker)
      const producer = new Kafka({ clientId: `idle-${i}`, brokers: addresses, logLevel: logLevel.NOTHING }).producer()
      await producer.connect()
      await producer.send({ topic, messages: [{ value: 'x' }] })
      disconnects.push(() => producer.disconnect())
    }
  }
  const before = process.cpuUsage()
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const used = process.cpuUsage(before)
  process.send?.({ kind, cpuMs: (used.user + used.system) / 1000 })
  for (const disconnect of disconnects) await disconnect()
}

async function main(): Promise<void> {
  if (process.argv[4] === 'ours' || process.argv[4] === 'kafkajs') return child(process.argv[4])
  for (const kind of ['kafkajs', 'ours'] as const) {
    const result = await new Promise<{ cpuMs: number }>((resolve, reject) => {
      const worker = fork(__filename, [String(producers), String(seconds), kind], { execArgv: process.execArgv })
      worker.once('message', (m) => resolve(m as { cpuMs: number }))
      worker.once('exit', (code) => code !== 0 && reject(new Error(`${kind} exited with ${code}`)))
    })
    const share = (result.cpuMs / (seconds * 1000)) * 100
    console.log(
      `${kind.padEnd(8)} ${producers} idle producers, ${seconds} s: ${result.cpuMs.toFixed(0)} ms of CPU (${share.toFixed(1)}% of a core)`
    )
  }
}

void main()
