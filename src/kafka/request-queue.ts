/**
 * kafkajs 2.2.4's request queue without its idle timer loop (kafkajs issues #1704 and #1751): after
 * every answer, each broker connection schedules a check of its pending requests with a delay of
 * "throttled until" minus now, which is negative when nothing is throttled, so Node runs it after 1 ms,
 * and the check schedules the next one: a 1 ms loop per connection for as long as it is open. A pooled,
 * idle producer then keeps a CPU core about 4% busy, and Node 24 prints a TimeoutNegativeWarning.
 *
 * Patched once, at module load, on kafkajs's own RequestQueue class (the one every kafkajs client in
 * this process uses): with no request waiting and no throttle in effect, there is nothing to check, so
 * nothing is scheduled. A request that has to wait is queued by `push`, which schedules a check itself;
 * a throttle still gets its check when it ends. Left alone if kafkajs's internals are not the expected ones.
 */

interface RequestQueueInternals {
  pending: unknown[]
  throttledUntil: number
  scheduleCheckPendingRequests(): void
}

const PATCHED = Symbol.for('actions-kafka.requestQueue.idleLoopFixed')

type QueueClass = { prototype: RequestQueueInternals & { [PATCHED]?: true } }

function loadRequestQueue(): QueueClass | undefined {
  try {
    // kafkajs has no `exports` map, so its source files can be required by path.
    return require('kafkajs/src/network/requestQueue') as QueueClass
  } catch {
    return undefined
  }
}

/** Whether the queue has anything to check later: a waiting request, or a throttle that has not ended. */
export function needsCheck(queue: Pick<RequestQueueInternals, 'pending' | 'throttledUntil'>, now: number): boolean {
  return queue.pending.length > 0 || queue.throttledUntil > now
}

/** Applies the fix to kafkajs's RequestQueue; true when it is (or already was) in place. */
export function fixIdleLoop(RequestQueue: QueueClass | undefined = loadRequestQueue()): boolean {
  const proto = RequestQueue?.prototype
  if (!proto || typeof proto.scheduleCheckPendingRequests !== 'function') return false
  if (proto[PATCHED]) return true
  const schedule = proto.scheduleCheckPendingRequests
  proto.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    if (!Array.isArray(this.pending) || typeof this.throttledUntil !== 'number') return schedule.call(this)
    if (needsCheck(this, Date.now())) schedule.call(this)
  }
  proto[PATCHED] = true
  return true
}

fixIdleLoop()
