/**
 * Coalescing of concurrent sends to one lane (one pooled producer, topic and delivery options):
 * while a send of a lane is in flight, the items of new calls wait, and all of them go out together
 * in the lane's next send as soon as the one in flight returns. A call to an idle lane is sent at
 * once, so nothing waits for company (no linger) and a lone caller sees no added latency.
 *
 * Each caller gets back exactly the outcomes of its own items. Items are sent in arrival order, so
 * the order of records per key is the order of the calls. The send function decides what an item's
 * outcome is (and must return one per item, in order); the coalescer only groups and splits.
 */

/** Sends `items` (of one lane) and returns one outcome per item, in the same order. */
export type SendItems<I, O> = (items: I[]) => Promise<O[]>

interface Waiting<I, O> {
  items: I[]
  send: SendItems<I, O>
  resolve(outcomes: O[]): void
  reject(error: unknown): void
}

interface Lane<I, O> {
  /** Callers that arrived while a send was in flight, in arrival order. */
  queue: Waiting<I, O>[]
}

/** Lanes are named by an owner object (e.g. the pooled producer) and a string within it. */
export class Coalescer<I, O> {
  /** Lanes exist only while busy; a WeakMap so a dropped producer takes nothing with it. */
  private readonly lanes = new WeakMap<object, Map<string, Lane<I, O>>>()

  /**
   * Sends `items` through `send` now if the lane is idle, or with the next send of the lane if one
   * is in flight. With several waiting callers, the `send` of the first one is used for all.
   */
  submit(owner: object, lane: string, items: I[], send: SendItems<I, O>): Promise<O[]> {
    let lanes = this.lanes.get(owner)
    if (!lanes) this.lanes.set(owner, (lanes = new Map<string, Lane<I, O>>()))
    const named = lanes
    return new Promise<O[]>((resolve, reject) => {
      const waiting: Waiting<I, O> = { items, send, resolve, reject }
      const busy = named.get(lane)
      if (busy) {
        busy.queue.push(waiting)
        return
      }
      const idle: Lane<I, O> = { queue: [] }
      named.set(lane, idle)
      void this.run(named, lane, idle, [waiting])
    })
  }

  private async run(lanes: Map<string, Lane<I, O>>, name: string, lane: Lane<I, O>, batch: Waiting<I, O>[]) {
    for (;;) {
      const items = batch.length === 1 ? batch[0].items : batch.flatMap((w) => w.items)
      try {
        const outcomes = await batch[0].send(items)
        if (outcomes.length !== items.length) {
          throw new Error(`coalesce: ${outcomes.length} outcomes for ${items.length} items`)
        }
        let start = 0
        for (const w of batch) {
          w.resolve(batch.length === 1 ? outcomes : outcomes.slice(start, start + w.items.length))
          start += w.items.length
        }
      } catch (error) {
        for (const w of batch) w.reject(error)
      }
      if (lane.queue.length === 0) break
      batch = lane.queue
      lane.queue = []
    }
    lanes.delete(name)
  }
}
