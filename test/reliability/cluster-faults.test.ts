/**
 * Long versions of the replicated cluster's failure scenarios (fast ones:
 * test/integration/cluster/faults.suite.ts), each per event (50 in flight) and in batches (200 per
 * batch, 4 in flight), with the default settings (idempotent delivery): nothing lost, nothing written
 * twice by the producer, order per key kept, no permanent error. RELIABILITY_IDEMPOTENT=off runs them
 * without idempotence instead (at least once: copies are printed, not held to 0). The cluster is
 * started by the global setup if it is not running. Figures are printed as `[reliability] ...`.
 */
import { closeAllProducers } from '../../src'
import {
  bootstrapNodeDown,
  hungLeader,
  leaderKill,
  rollingRestart,
  twoDown,
  useCluster,
  type ScenarioOptions
} from '../helpers/cluster-faults'
import { expectExactlyOnce, expectNothingLost, type KillFigures } from '../helpers/fault-figures'

const EVENTS = Number(process.env.RELIABILITY_EVENTS ?? 20000)
/** RELIABILITY_CLUSTER=leader-kill,rolling,... runs only those scenarios. */
const ONLY = process.env.RELIABILITY_CLUSTER?.split(',')
const IDEMPOTENT = process.env.RELIABILITY_IDEMPOTENT !== 'off'

useCluster(closeAllProducers)

const paths: ScenarioOptions[] = [
  { path: 'event', events: EVENTS, concurrency: 50, afterEvents: 500, rate: 1000 },
  { path: 'batch', events: EVENTS, concurrency: 4, batchSize: 200, afterEvents: 500, rate: 1000 }
]

const scenarios: [string, (o: ScenarioOptions) => Promise<KillFigures>][] = [
  ['leader-kill', (o) => leaderKill(o, 10_000)],
  ['rolling', rollingRestart],
  ['hung', hungLeader],
  ['two-down', (o) => twoDown(o, 30_000)],
  ['bootstrap-down', bootstrapNodeDown]
]

for (const [name, scenario] of scenarios) {
  const run = !ONLY || ONLY.includes(name) ? it : it.skip
  for (const p of paths) {
    const label = `cluster ${name}, ${p.path} path, idempotent ${IDEMPOTENT ? 'on' : 'off'}`
    run(`${label}: ${EVENTS} events`, async () => {
      const f = await scenario(IDEMPOTENT ? p : { ...p, idempotent: false })
      if (IDEMPOTENT) expectExactlyOnce(`${label}, long`, f)
      else expectNothingLost(`${label}, long`, f)
    })
  }
}
