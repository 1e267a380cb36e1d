/**
 * Micro-benchmarks of our per-event CPU, without a broker: settings resolution, record building and
 * partitioning.
 *
 *   tsx bench/micro.ts [iterations]
 *
 * Each case runs a warm-up and then `iterations` calls, five times, and prints the median µs per call.
 * A fresh settings object is built for every call, as actions-core does.
 */
import { Partitioners } from 'kafkajs'
import { connectionKey } from '../src/connection-identity'
import { keyPartition } from '../src/kafka/partitioner'
import { buildRecord, RECORD_OVERHEAD_BYTES } from '../src/records'
import { SettingsCache } from '../src/send/settings-cache'
import { normaliseSettings } from '../src/settings'
import type { Settings } from '../src/settings-fields'
import { generateEvents } from './events'

const iterations = Number(process.argv[2] ?? 200_000)

function measure(name: string, fn: (i: number) => unknown): void {
  let sink: unknown
  for (let i = 0; i < Math.min(iterations, 20_000); i++) sink = fn(i)
  const runs: number[] = []
  for (let r = 0; r < 5; r++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) sink = fn(i)
    runs.push(Number(process.hrtime.bigint() - started) / 1000 / iterations)
  }
  runs.sort((a, b) => a - b)
  if (sink === Symbol.for('never')) console.log(sink)
  console.log(`${name.padEnd(62)} ${runs[2].toFixed(3).padStart(8)} µs/call`)
}

const base = {
  brokers: 'b-1.example.kafka.us-east-1.amazonaws.com:9096,b-2.example.kafka.us-east-1.amazonaws.com:9096',
  clientId: 'segment-actions-kafka-producer',
  mechanism: 'scram-sha-512',
  username: 'alice',
  password: 'alice-secret',
  ssl_enabled: true
}
const fresh = (): Settings => ({ ...base })

measure('settings: normaliseSettings (every call, before)', () => normaliseSettings(fresh()))
measure('settings: normaliseSettings + connectionKey (every call, before)', () =>
  connectionKey(normaliseSettings(fresh()))
)
const cache = new SettingsCache()
measure('settings: SettingsCache.resolve, fresh object per call (after)', () => cache.resolve(fresh()).key)

const events = generateEvents(2000)
const json = events.map((e) => JSON.stringify(e))
measure('record: JSON.stringify alone', (i) => JSON.stringify(events[i % events.length]))
measure('record: Buffer.from(json) (before, on top of stringify)', (i) => Buffer.from(json[i % json.length], 'utf8'))
measure('record: Buffer.byteLength(json) (after, on top of stringify)', (i) => Buffer.byteLength(json[i % json.length]))
measure('record: buildRecord (after: string value)', (i) =>
  buildRecord({ payload: events[i % events.length], key: String(events[i % events.length].userId) })
)
console.log(`(record overhead estimate ${RECORD_OVERHEAD_BYTES} B; event JSON ${json[0].length} chars)`)

const partitionMetadata = Array.from({ length: 3 }, (_, partitionId) => ({
  partitionId,
  leader: 1,
  replicas: [1],
  isr: [1],
  offlineReplicas: [],
  partitionErrorCode: 0
}))
const userIds = events.map((e) => String(e.userId))
const kafkajsChoose = Partitioners.DefaultPartitioner()
measure('partition: kafkajs DefaultPartitioner, keyed (before, paid twice)', (i) =>
  kafkajsChoose({ topic: 't', partitionMetadata, message: { key: userIds[i % userIds.length], value: 'v' } })
)
measure('partition: keyPartition (after)', (i) => keyPartition(userIds[i % userIds.length], 3))
