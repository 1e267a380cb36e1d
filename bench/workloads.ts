/** Which measurements a run makes, with full and quick (CI smoke) sizes. */
import type { TargetName } from './targets'
import type { WorkerSpec } from './worker'

export type Group = 'event' | 'batch' | 'gateway' | 'kcat' | 'connections' | 'tenants'

export interface Workload {
  /** Stable id, e.g. `event-c32/ours`; the part before the slash names the row of the tables. */
  id: string
  row: string
  group: Group
  target: TargetName | 'kcat'
  mode: WorkerSpec['mode']
  concurrency: number
  batchSize: number
  events: number
  warmup: number
  maxSeconds: number
  /** How ours writes the value: JSON (default) or Avro through the project's schema registry. */
  valueFormat?: 'json' | 'avro'
  /** Target `gateway`: the tracking route its load generator posts to. */
  route?: 'batch' | 'track'
  /** Ours: settings and mapping with their fields' defaults, as the gateway's config has them. */
  fieldDefaults?: boolean
}

const DESTINATIONS: TargetName[] = ['ours', 'segment-default', 'segment-cached']
const ALL: TargetName[] = [...DESTINATIONS, 'kafkajs']
/** The throughput rows also measure the bare actions-core destination, to separate its cost from ours. */
const THROUGHPUT: TargetName[] = [...DESTINATIONS, 'ours-idempotent', 'core-kafkajs', 'kafkajs']

/** Segment's default path connects and disconnects for every call, so it gets fewer events and a time cap. */
function isSlow(target: TargetName): boolean {
  return target === 'segment-default'
}

export function workloads(quick: boolean): Workload[] {
  const out: Workload[] = []
  const scale = (full: number, small: number): number => (quick ? small : full)
  const add = (w: Omit<Workload, 'id'>): void => {
    out.push({ ...w, id: `${w.row}/${w.target}` })
  }
  for (const concurrency of [1, 32]) {
    for (const target of THROUGHPUT) {
      const slow = isSlow(target)
      add({
        row: `event-c${concurrency}`,
        group: 'event',
        target,
        mode: 'event',
        concurrency,
        batchSize: 1,
        events: slow ? scale(concurrency === 1 ? 300 : 1000, 50) : scale(concurrency === 1 ? 5000 : 20000, 1000),
        warmup: slow ? scale(20, 5) : scale(1000, 100),
        maxSeconds: slow ? scale(20, 10) : scale(60, 30)
      })
    }
  }
  for (const batchSize of [100, 1000]) {
    for (const target of THROUGHPUT) {
      add({
        row: `batch-${batchSize}`,
        group: 'batch',
        target,
        mode: 'batch',
        concurrency: 1,
        batchSize,
        events: scale(batchSize === 100 ? 20000 : 50000, 2000),
        warmup: scale(batchSize * 10, batchSize),
        maxSeconds: scale(60, 30)
      })
    }
    // The same batches written as Avro (schema from the registry), compared with ours writing JSON.
    add({
      row: `batch-${batchSize}-avro`,
      group: 'batch',
      target: 'ours',
      mode: 'batch',
      concurrency: 1,
      batchSize,
      events: scale(batchSize === 100 ? 20000 : 50000, 2000),
      warmup: scale(batchSize * 10, batchSize),
      maxSeconds: scale(60, 30),
      valueFormat: 'avro'
    })
  }
  // The server's HTTP paths on the batch rows, compared with `ours` (the direct onBatch) of the same row.
  for (const batchSize of [100, 1000]) {
    for (const target of ['http-batch', 'http-events'] as const) {
      add({
        row: `batch-${batchSize}`,
        group: 'batch',
        target,
        mode: 'batch',
        concurrency: 1,
        batchSize,
        events: scale(batchSize === 100 ? 20000 : 50000, 2000),
        warmup: scale(batchSize * 10, batchSize),
        maxSeconds: scale(60, 30)
      })
    }
  }
  // The gateway (`npm start`'s server) alone in its process, loaded by a generator process with
  // pre-serialised bodies over keep-alive connections, beside the direct call with as many in flight.
  const gatewayRows = [
    { row: 'gateway-batch-100', route: 'batch', batchSize: 100, concurrency: 8, events: 40000 },
    { row: 'gateway-batch-500', route: 'batch', batchSize: 500, concurrency: 8, events: 60000 },
    { row: 'gateway-track-c32', route: 'track', batchSize: 1, concurrency: 32, events: 20000 }
  ] as const
  for (const g of gatewayRows) {
    for (const target of ['ours', 'gateway'] as const) {
      add({
        row: g.row,
        group: 'gateway',
        target,
        mode: g.route === 'batch' ? 'batch' : 'event',
        concurrency: g.concurrency,
        batchSize: g.batchSize,
        events: scale(g.events, g.batchSize * 20),
        warmup: scale(g.route === 'batch' ? g.batchSize * 20 : 2000, g.batchSize * 4),
        maxSeconds: scale(60, 30),
        // The direct call gets the mapping the gateway's config has (field defaults filled in).
        ...(target === 'gateway' ? { route: g.route } : { fieldDefaults: true })
      })
    }
  }
  add({
    row: 'kcat',
    group: 'kcat',
    target: 'kcat',
    mode: 'batch',
    concurrency: 1,
    batchSize: 0,
    events: scale(100000, 5000),
    warmup: 0,
    maxSeconds: 120
  })
  // Connections of one tenant over 10,000 events, counted from the very first connect (no warm-up).
  for (const target of ALL) {
    add({
      row: 'connections-10k',
      group: 'connections',
      target,
      mode: 'event',
      concurrency: 32,
      batchSize: 1,
      events: isSlow(target) ? scale(10000, 100) : scale(10000, 1000),
      warmup: 0,
      maxSeconds: isSlow(target) ? scale(30, 10) : 120
    })
  }
  // 1,000 tenants (settings differing by clientId), one event each.
  for (const target of ALL) {
    add({
      row: 'tenants-1000',
      group: 'tenants',
      target,
      mode: 'tenants',
      concurrency: 32,
      batchSize: 1,
      events: scale(1000, 50),
      warmup: 1,
      maxSeconds: 300
    })
  }
  return out
}
