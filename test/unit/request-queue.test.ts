/**
 * The fix of kafkajs's idle request-queue loop (src/kafka/request-queue.ts), on kafkajs's own
 * RequestQueue class: idle queues schedule nothing, a waiting request or a throttle still gets its check.
 */
import { fixIdleLoop, needsCheck } from '../../src/kafka/request-queue'

interface Queue {
  pending: unknown[]
  throttledUntil: number
  throttleCheckTimeoutId: NodeJS.Timeout | null
  scheduleCheckPendingRequests(): void
  checkPendingRequests(): void
  destroy(): void
}

const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => Queue

const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const queue = (): Queue =>
  new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, clientId: 'test', broker: 'b:9092', logger })

describe('kafkajs request queue without its idle loop', () => {
  it('is in place once the port is loaded, and applying it again changes nothing', () => {
    expect(fixIdleLoop()).toBe(true)
    const patched = (RequestQueue.prototype as Queue).scheduleCheckPendingRequests
    expect(fixIdleLoop()).toBe(true)
    expect((RequestQueue.prototype as Queue).scheduleCheckPendingRequests).toBe(patched)
  })

  it('an idle queue (nothing waiting, no throttle) schedules no check, even after an answer', () => {
    const q = queue()
    q.checkPendingRequests() // what kafkajs runs after each answer
    q.scheduleCheckPendingRequests()
    expect(q.throttleCheckTimeoutId).toBeNull()
  })

  it('a waiting request still gets its check', () => {
    const q = queue()
    q.pending.push({})
    q.scheduleCheckPendingRequests()
    expect(q.throttleCheckTimeoutId).not.toBeNull()
    q.destroy()
  })

  it('a throttle still gets its check when it ends', () => {
    const q = queue()
    q.throttledUntil = Date.now() + 60_000
    q.scheduleCheckPendingRequests()
    expect(q.throttleCheckTimeoutId).not.toBeNull()
    q.destroy()
  })

  it('needsCheck: a waiting request or a throttle not yet over', () => {
    expect(needsCheck({ pending: [], throttledUntil: -1 }, 1000)).toBe(false)
    expect(needsCheck({ pending: [], throttledUntil: 999 }, 1000)).toBe(false)
    expect(needsCheck({ pending: [], throttledUntil: 1001 }, 1000)).toBe(true)
    expect(needsCheck({ pending: [{}], throttledUntil: -1 }, 1000)).toBe(true)
  })

  it('leaves a class without the expected method alone', () => {
    expect(fixIdleLoop({ prototype: {} as never })).toBe(false)
  })
})
