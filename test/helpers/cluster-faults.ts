/**
 * The replicated cluster's failure scenarios, shared by the fast versions (npm test) and the long ones
 * (npm run test:reliability). Each is a fault run (./fault-run.ts) against the three-node cluster,
 * through the destination, with every topic read back with kcat.
 */
import type { JSONObject } from '@segment/actions-core'
import {
  bootstrapOf,
  busiestLeader,
  createReplicatedTopic,
  deleteReplicatedTopics,
  node,
  readClusterTopic,
  sleep,
  waitFullIsr
} from './cluster'
import type { KillFigures, SendPath } from './fault-figures'
import { faultRun, type FaultTarget, type RunOptions } from './fault-run'

export interface ScenarioOptions {
  path: SendPath
  events: number
  concurrency: number
  batchConcurrency?: number
  batchSize?: number
  afterEvents?: number
  /** The destination's idempotent delivery setting (default: the setting's default, on). */
  idempotent?: boolean
  callTimeoutMs?: number
  /** Events per second while a long fault runs (rolling restart, hung leader, two down). */
  rate?: number
}

/** The client's request timeout (src/client-config.ts): a hung broker must stay hung longer than this. */
export const CLIENT_REQUEST_TIMEOUT_MS = 35_000

function target(bootstrap = bootstrapOf([1, 2, 3])): FaultTarget {
  return { bootstrap, createTopic: createReplicatedTopic, readTopic: readClusterTopic }
}

function run(
  name: string,
  o: ScenarioOptions,
  extra: Partial<RunOptions> & Pick<RunOptions, 'fault'>,
  bootstrap?: string
): Promise<KillFigures> {
  const settings: JSONObject = o.idempotent === undefined ? {} : { idempotent: o.idempotent }
  return faultRun(target(bootstrap), {
    ...o,
    name,
    ...extra,
    settings: { ...settings, ...extra.settings }
  })
}

/** The busiest leader SIGKILLed mid-stream, started again after `downMs`. */
export function leaderKill(o: ScenarioOptions, downMs = 3000): Promise<KillFigures> {
  return run('leader-kill', o, {
    fault: async ({ topic }) => {
      await node.kill(await busiestLeader(topic))
      await sleep(downMs)
      await node.startMissing()
      await waitFullIsr(topic)
    }
  })
}

/** Every node in turn: SIGTERM, started again, wait until it serves and the ISR is full, next. */
export function rollingRestart(o: ScenarioOptions): Promise<KillFigures> {
  return run('rolling', o, {
    faultAt: 0.2,
    untilFaultDone: true,
    fault: async ({ topic }) => {
      for (const id of [1, 2, 3]) {
        await node.stop(id)
        await node.startMissing()
        await waitFullIsr(topic)
      }
    }
  })
}

/** The busiest leader SIGSTOPped for `pauseMs` (longer than the request timeout), then SIGCONT. */
export function hungLeader(o: ScenarioOptions, pauseMs = CLIENT_REQUEST_TIMEOUT_MS + 5000): Promise<KillFigures> {
  return run('hung', o, {
    untilFaultDone: true,
    fault: async ({ topic }) => {
      const id = await busiestLeader(topic)
      node.pause(id)
      await sleep(pauseMs)
      node.resume(id)
      await node.startMissing()
      await waitFullIsr(topic)
    }
  })
}

/** Longest the two-down outage waits for the failures it is meant to cause. */
export const OUTAGE_MAX_MS = 180_000

/**
 * Two of three nodes SIGKILLed: no partition has two live replicas, so no call may be acknowledged
 * meanwhile; every send fails retryable. The broker waits `ackTimeoutMs` for the acks. The nodes stay
 * down for at least `downMs` AND until the stream has seen `failures` retryable failures (at most
 * OUTAGE_MAX_MS): the outage lasts until it has caused what the test asserts, however slowly the
 * calls time out on a loaded machine, instead of a fixed time the calls may simply wait out.
 */
export function twoDown(o: ScenarioOptions, downMs = 15_000, ackTimeoutMs = 3000, failures = 1): Promise<KillFigures> {
  return run('two-down', o, {
    untilFaultDone: true,
    mapping: { request_timeout: ackTimeoutMs },
    fault: async ({ topic, noAcksBetween, retryableFailures }) => {
      const survivor = await busiestLeader(topic)
      const down = [1, 2, 3].filter((id) => id !== survivor)
      await Promise.all(down.map((id) => node.kill(id)))
      const from = performance.now()
      await sleep(downMs)
      const deadline = from + OUTAGE_MAX_MS
      while (retryableFailures() < failures && performance.now() < deadline) await sleep(200)
      noAcksBetween(from, performance.now())
      await node.startMissing()
      await waitFullIsr(topic)
    }
  })
}

/**
 * The bootstrap list names node 1 first while it is down (SIGTERM before the stream; the producer is
 * new, so it connects during the stream); node 1 comes back halfway through.
 */
export function bootstrapNodeDown(o: ScenarioOptions): Promise<KillFigures> {
  return run(
    'bootstrap-down',
    o,
    {
      beforeStream: async () => {
        await node.stop(1)
      },
      faultAt: 0.5,
      fault: async ({ topic }) => {
        await node.startMissing()
        await waitFullIsr(topic)
      }
    },
    bootstrapOf([1, 2, 3])
  )
}

/** For a test file of cluster faults: all three nodes back after each test, topics deleted at the end. */
export function useCluster(closeAllProducers: () => Promise<void>): void {
  afterEach(() => node.startMissing(), 180_000)
  afterAll(async () => {
    await closeAllProducers()
    await deleteReplicatedTopics()
  }, 60_000)
}
