/**
 * The idempotent producer's rule against reusing a sequence number: its sends run one at a time, and
 * a send that fails retires the producer that made it. Pure (the producers are given by a factory),
 * so the rule is tested with fakes; kafka/producer.ts gives it kafkajs producers.
 *
 * Why: kafkajs numbers each partition's records before a produce request and rolls the numbers back
 * when the request fails. Its own retries resend the same records under the same numbers, which the
 * broker de-duplicates. But a request that failed after the broker wrote it (a timeout, a closed
 * connection, a partial answer) leaves numbers the broker has seen: the next, different records would
 * reuse them, and the broker would drop them as copies while answering success (or fail them as
 * OUT_OF_ORDER_SEQUENCE_NUMBER, forever). So:
 * - one send at a time: no other call can take the rolled-back numbers between a failed request and
 *   its retry inside kafkajs;
 * - after a send that failed (its outcome may be unknown; telling which failures are safe is not worth
 *   the risk), the producer is retired: new sends go to a fresh producer, which gets a new producer id
 *   from the broker and numbers from 0, so later records can never be taken for copies (what the Java
 *   client does with a new epoch, KIP-360); the retired one is disconnected once its calls are done.
 */

/** One producer as the generations see it. */
export interface Generation<P> {
  value: P
  connect(): Promise<void>
  disconnect(): Promise<void>
}

interface Current<P> {
  generation: Generation<P>
  /** Settles once connected; a failed connect is not kept (the next send builds another). */
  ready?: Promise<void>
}

export class ProducerGenerations<P> {
  private current?: Current<P>
  /** The last value handed out (the current one, or the last retired while none is current). */
  private last: P
  /** The sends, one at a time: each waits for the one before it. */
  private tail: Promise<unknown> = Promise.resolve()
  /** Retired producers being disconnected. */
  private readonly closing = new Set<Promise<void>>()
  /** How many producers were built, and how many retired after a failed send. */
  built = 0
  retired = 0

  /** `create` builds a producer (not connected); `onRetired` hears of each retirement. */
  constructor(
    private readonly create: () => Generation<P>,
    private readonly onRetired?: (error: unknown) => void
  ) {
    this.last = this.build().generation.value
  }

  /** The current producer (built, maybe not connected yet), or the last one retired. */
  get value(): P {
    return this.current?.generation.value ?? this.last
  }

  /** Connects the current producer (building one if none is current). */
  connect(): Promise<void> {
    return this.ready(this.current ?? this.build())
  }

  /**
   * Runs `send` with the current producer once the sends before it are done. A failed send retires
   * that producer; the error is passed on. So does a send that resolved but whose result `whole` finds
   * incomplete (some records unanswered: their outcome is unknown too). A producer that fails to
   * connect fails the send too.
   */
  run<R>(send: (producer: P) => Promise<R>, whole?: (result: R) => boolean): Promise<R> {
    const turn = this.tail.then(() => this.runNow(send, whole))
    this.tail = turn.catch(() => undefined)
    return turn
  }

  private async runNow<R>(send: (producer: P) => Promise<R>, whole?: (result: R) => boolean): Promise<R> {
    const current = this.current ?? this.build()
    await this.ready(current)
    let result: R
    try {
      result = await send(current.generation.value)
    } catch (error) {
      this.retire(current, error)
      throw error
    }
    if (whole && !whole(result)) this.retire(current, new Error('records left unanswered'))
    return result
  }

  private build(): Current<P> {
    const generation = this.create()
    this.built++
    this.current = { generation }
    this.last = generation.value
    return this.current
  }

  private ready(current: Current<P>): Promise<void> {
    current.ready ??= current.generation.connect().catch((error: unknown) => {
      if (this.current === current) this.current = undefined
      this.close(current.generation)
      throw error
    })
    return current.ready
  }

  /** Takes `current` out of use; it is disconnected now, since sends run one at a time. */
  private retire(current: Current<P>, error: unknown): void {
    if (this.current !== current) return
    this.current = undefined
    this.retired++
    this.onRetired?.(error)
    this.close(current.generation)
  }

  private close(generation: Generation<P>): void {
    const closing = generation.disconnect().catch(() => undefined)
    this.closing.add(closing)
    void closing.finally(() => this.closing.delete(closing))
  }

  /** Waits for the sends queued so far, then disconnects the current producer and the retired ones. */
  async disconnect(): Promise<void> {
    await this.tail
    const current = this.current
    this.current = undefined
    const closing = [...this.closing]
    if (current) {
      // Never connected: nothing to close (kafkajs's disconnect of an unconnected producer is harmless).
      await current.ready?.catch(() => undefined)
      await Promise.all([current.generation.disconnect(), ...closing])
    } else {
      await Promise.all(closing)
    }
  }
}
