/**
 * The three-node cluster as started by the global setup: kcat lists three brokers and replication
 * factor 3 for a topic created with the defaults; the destination sends over SASL_SSL (SCRAM) to the
 * whole bootstrap list and kcat reads the record back; cluster.json carries the facts tests use.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { createTestEvent, type JSONObject } from '@segment/actions-core'
import { closeAllProducers } from '../../../src'
import { clusterFacts, createReplicatedTopic, partitions, readClusterTopic, waitFullIsr } from '../../helpers/cluster'
import { useCluster } from '../../helpers/cluster-faults'
import { runtime, sendEvent } from '../../helpers/runtime'

useCluster(closeAllProducers)

const facts = clusterFacts()

it('cluster.json names three nodes, their ports and pids, the bootstrap lists, users and PKI', () => {
  expect(facts.nodes.map((n) => n.id)).toEqual([1, 2, 3])
  expect(facts.bootstrap.plaintext.split(',')).toEqual(facts.nodes.map((n) => n.bootstrap.plaintext))
  for (const n of facts.nodes) expect(fs.readFileSync(`/proc/${n.pid}/cmdline`, 'utf8')).toContain('kafka.Kafka')
  expect(facts).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 })
  expect(fs.existsSync(facts.pki.ca)).toBe(true)
  expect(facts.users.length).toBeGreaterThan(0)
})

it('kcat lists three brokers; a topic auto-created with the defaults has 3 partitions of 3 replicas, all in sync', async () => {
  // Auto-created by kcat's produce: partitions and replication factor are the cluster's defaults.
  const topic = `smoke-${Date.now()}`
  execFileSync('kcat', ['-P', '-b', facts.bootstrap.plaintext, '-t', topic], { input: 'hello\n' })
  await waitFullIsr(topic)
  const listing = execFileSync('kcat', ['-L', '-b', facts.bootstrap.plaintext, '-t', topic], { encoding: 'utf8' })
  expect(listing).toContain(' 3 brokers:')
  const parts = await partitions(topic)
  expect(parts).toHaveLength(3)
  for (const p of parts) expect(p.isr).toEqual([1, 2, 3])
  for (const line of listing.split('\n').filter((l) => l.includes('partition ')))
    expect(line).toMatch(/replicas: \d,\d,\d, isrs: \d,\d,\d/)
})

it('the destination sends over SASL_SSL with SCRAM-SHA-512 to the bootstrap list; kcat reads it back', async () => {
  const topic = await createReplicatedTopic(`smoke-sasl-${Date.now()}`)
  const alice = facts.users[0]
  const settings: JSONObject = {
    brokers: facts.bootstrap.saslSsl,
    mechanism: 'scram-sha-512',
    username: alice.username,
    password: alice.password,
    ssl_ca: fs.readFileSync(facts.pki.ca, 'utf8'),
    clientId: 'cluster-smoke'
  }
  const outcome = await sendEvent(
    runtime(),
    settings,
    { topic, payload: { '@path': '$.' } },
    createTestEvent({ messageId: 'smoke-1' })
  )
  expect(outcome).toEqual({ ok: true, status: 200 })
  const records = await readClusterTopic(topic)
  expect(records.map((r) => JSON.parse(r.value ?? '{}').messageId)).toEqual(['smoke-1'])
})
