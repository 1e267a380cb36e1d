/**
 * The idempotent delivery setting against the three-node cluster. A send that fails after the leader
 * wrote it (here: the leader's followers are down, so it times out waiting for their acks) leaves the
 * record in the log; kafkajs rolls its sequence number back on any error, so on the same producer the
 * next, different record of that partition would go out with the same sequence and be dropped by the
 * broker as a copy while it answers success. The port retires a producer after a failed send
 * (src/kafka/producer-generations.ts): the next record goes out from a fresh producer id and lands.
 */
import { createTestEvent, type JSONObject } from '@segment/actions-core'
import { closeAllProducers } from '../../../src'
import { bootstrapOf, createReplicatedTopic, leaderOf, node, readClusterTopic } from '../../helpers/cluster'
import { useCluster } from '../../helpers/cluster-faults'
import { runtime, sendEvent, type Outcome } from '../../helpers/runtime'

useCluster(closeAllProducers)

interface Story {
  first: Outcome
  failed: Outcome
  next: Outcome
  /** seq -> copies in the topic. */
  copies: Record<number, number>
}

/**
 * Two producers, idempotent and not, on one single-partition topic: each sends one record, then one
 * while both followers are down (it times out waiting for their acks), then one after they return.
 */
async function stories(): Promise<{ plain: Story; idempotent: Story }> {
  const topic = await createReplicatedTopic(`idem-${Date.now()}`, 1)
  const dest = runtime()
  const mapping: JSONObject = { topic, payload: { '@path': '$.' }, request_timeout: 1000 }
  const sender = (idempotent: boolean) => {
    const settings: JSONObject = {
      brokers: bootstrapOf(),
      mechanism: 'none',
      ssl_enabled: false,
      clientId: `idem-${idempotent}-${Date.now()}`,
      idempotent
    }
    return (seq: number) => sendEvent(dest, settings, mapping, createTestEvent({ properties: { seq, idempotent } }))
  }
  const senders = [sender(false), sender(true)]
  const first = await Promise.all(senders.map((send) => send(1)))
  const leader = await leaderOf(topic, 0)
  await Promise.all([1, 2, 3].filter((id) => id !== leader).map((id) => node.kill(id)))
  const failed = await Promise.all(senders.map((send) => send(2)))
  await node.startMissing()
  const next = await Promise.all(
    senders.map(async (send) => {
      let outcome: Outcome
      const deadline = Date.now() + 120_000
      do outcome = await send(3)
      while (!outcome.ok && Date.now() < deadline)
      return outcome
    })
  )
  const copies: Record<number, number>[] = [{}, {}]
  for (const r of await readClusterTopic(topic)) {
    const p = (JSON.parse(r.value ?? '{}') as { properties: { seq: number; idempotent: boolean } }).properties
    const c = copies[p.idempotent ? 1 : 0]
    c[p.seq] = (c[p.seq] ?? 0) + 1
  }
  const story = (i: number): Story => ({ first: first[i], failed: failed[i], next: next[i], copies: copies[i] })
  const result = { plain: story(0), idempotent: story(1) }
  process.stderr.write(`[reliability] idempotent delivery: ${JSON.stringify(result)}\n`)
  return result
}

let told: Promise<{ plain: Story; idempotent: Story }>
beforeAll(() => {
  told = stories()
  told.catch(() => undefined)
})

it('without idempotence: the timed-out record is written anyway (copies from retries), the next one lands', async () => {
  const { plain: s } = await told
  expect(s.first.ok).toBe(true)
  expect(s.failed.ok).toBe(false)
  expect(s.failed.status).toBeGreaterThanOrEqual(500)
  expect(s.next.ok).toBe(true)
  expect(s.copies[1]).toBe(1)
  expect(s.copies[2]).toBeGreaterThanOrEqual(1)
  expect(s.copies[3]).toBeGreaterThanOrEqual(1)
}, 300_000)

it('with idempotence: the timed-out record is written exactly once (the retries were deduplicated)', async () => {
  const { idempotent: s } = await told
  expect(s.failed.ok).toBe(false)
  expect(s.copies[2]).toBe(1)
}, 300_000)

// kafkajs 2.2.4 rolls the sequence back after a request the broker wrote; the retired producer keeps
// the next record from reusing it.
it('with idempotence: the record sent after the timed-out one is acknowledged AND in the topic, once', async () => {
  const { idempotent: s } = await told
  expect(s.first.ok).toBe(true)
  expect(s.next.ok).toBe(true)
  expect(s.copies[3]).toBe(1)
}, 300_000)
