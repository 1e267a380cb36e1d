/**
 * The "broker killed mid-stream" scenario, shared by the fast version (npm test) and the long one
 * (npm run test:reliability): a fault run (./fault-run.ts) whose fault is a SIGKILL of the test's own
 * broker and a start again with its data. Afterwards every event is accounted for (./fault-figures.ts).
 */
import type { OwnBroker } from './fault-broker'
import { faultRun } from './fault-run'
import type { KillFigures } from './fault-figures'

export { expectNothingLost, type KillFigures } from './fault-figures'

export interface KillOptions {
  path: 'event' | 'batch'
  events: number
  /** Calls in flight: events (per-event path) or batches (batch path). */
  concurrency: number
  batchSize?: number
  /** Fraction of the events settled when the broker is killed. */
  killAt?: number
  /** How long the broker stays down before it is started again. */
  downMs?: number
  /** Longest a single call may take before it counts as hung. */
  callTimeoutMs?: number
  partitions?: number
  /** Events sent after the restart, which must all succeed. */
  afterEvents?: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export function brokerKillRun(b: OwnBroker, o: KillOptions): Promise<KillFigures> {
  return faultRun(b, {
    ...o,
    name: 'kill',
    faultAt: o.killAt,
    fault: async () => {
      await b.kill()
      await sleep(o.downMs ?? 2000)
      await b.start()
    }
  })
}
