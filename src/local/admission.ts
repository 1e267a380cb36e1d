/**
 * Bounded work: the events of every request being processed are counted, and a request that would go
 * beyond the limit is refused with 429 and `Retry-After` (the SDKs retry it) instead of queueing without
 * bound. While draining (SIGTERM) new work is refused with 503; `idle()` resolves once nothing is left.
 */
import { RequestError } from './http-io'

const RETRY_AFTER_SECONDS = '1'

export class Admission {
  private events = 0
  private requests = 0
  private draining = false
  private waiters: (() => void)[] = []

  constructor(
    private readonly maxEvents: number,
    private readonly onChange: (eventsInFlight: number) => void = () => undefined
  ) {}

  get inFlight(): number {
    return this.events
  }

  get isDraining(): boolean {
    return this.draining
  }

  /** Counts a request (any route) until `release` is called; refused while draining. */
  enter(): () => void {
    if (this.draining) {
      throw new RequestError(503, 'SHUTTING_DOWN', 'the server is shutting down; retry against another instance', {
        'retry-after': RETRY_AFTER_SECONDS,
        connection: 'close'
      })
    }
    this.requests++
    let released = false
    return () => {
      if (released) return
      released = true
      this.requests--
      this.settle()
    }
  }

  /** Reserves room for `count` events; throws 429 when there is none. The returned function frees it. */
  reserve(count: number): () => void {
    // A request larger than the whole limit may still go when nothing else is in flight.
    if (this.events > 0 && this.events + count > this.maxEvents) {
      throw new RequestError(
        429,
        'TOO_MANY_EVENTS_IN_FLIGHT',
        `${this.events} events are in flight (limit ${this.maxEvents}); retry after ${RETRY_AFTER_SECONDS} s`,
        { 'retry-after': RETRY_AFTER_SECONDS }
      )
    }
    this.events += count
    this.onChange(this.events)
    let released = false
    return () => {
      if (released) return
      released = true
      this.events -= count
      this.onChange(this.events)
    }
  }

  /** Refuses new requests from now on; resolves when the requests in progress have been answered. */
  drain(): Promise<void> {
    this.draining = true
    if (this.requests === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  private settle(): void {
    if (this.requests > 0) return
    for (const resolve of this.waiters.splice(0)) resolve()
  }
}
