/**
 * Fast versions of the replicated cluster's failure scenarios (long ones: test/reliability/), with the
 * default settings (idempotent delivery): nothing acknowledged lost, nothing written twice, order per
 * key kept, no permanent error. The three-node cluster is started by the integration tests' global
 * setup; every scenario sends through the destination per event (20 in flight) and in batches (2 of
 * 100 in flight) at once, and reads the topic back with kcat.
 */
import { closeAllProducers } from '../../../src'
import {
  bootstrapNodeDown,
  hungLeader,
  leaderKill,
  rollingRestart,
  twoDown,
  useCluster,
  type ScenarioOptions
} from '../../helpers/cluster-faults'
import { expectExactlyOnce } from '../../helpers/fault-figures'

useCluster(closeAllProducers)

const both: ScenarioOptions = {
  path: 'both',
  events: 2000,
  concurrency: 20,
  batchConcurrency: 2,
  batchSize: 100,
  rate: 400
}

it('the busiest leader SIGKILLed mid-stream and restarted: nothing acknowledged is lost or written twice', async () => {
  expectExactlyOnce('cluster: leader kill', await leaderKill(both))
}, 300_000)

it('a rolling restart (SIGTERM, rejoin, full ISR, next): nothing acknowledged is lost or written twice', async () => {
  expectExactlyOnce('cluster: rolling restart', await rollingRestart({ ...both, events: 1000 }))
}, 400_000)

it('a leader hung (SIGSTOP) longer than the request timeout, then SIGCONT: nothing lost or written twice, no call past its bound', async () => {
  expectExactlyOnce('cluster: hung leader', await hungLeader({ ...both, events: 1000 }))
}, 400_000)

it('two of three nodes down (until sends have failed): they fail retryable, none acknowledged meanwhile; the same process sends again after', async () => {
  const f = await twoDown({ ...both, events: 1000 })
  expectExactlyOnce('cluster: two of three down', f)
  expect(f.retryableErrors).toBeGreaterThan(0)
}, 400_000)

it('the bootstrap list names a node that is down: the producer connects through the others', async () => {
  const f = await bootstrapNodeDown({ ...both, events: 1000 })
  expectExactlyOnce('cluster: bootstrap node down', f)
  expect(f.acknowledged).toBe(f.sent)
}, 300_000)
