/**
 * The producer the pool keeps for one connection: a kafkajs producer (client config, partitioner,
 * codecs) wrapped so the send path sees only `send` and `partitionCount`, and kafkajs's quirks are
 * handled here.
 */
import { Kafka, type PartitionMetadata, type Producer, type RecordMetadata } from 'kafkajs'
import './codecs'
import type { Poolable } from '../producer-pool'
import type { ConnectionSettings } from '../settings'
import { guarded, type CertificateGuard } from './certificate-guard'
import { kafkaConfig } from './client-config'
import { compressionType } from './codecs'
import { protocolType } from './errors'
import { PartitionPlanner, trackingPartitioner } from './partitioner'
import type { OutgoingMessage, RecordPlacement, SendOptions, TopicProducer } from './types'

/** Errors of a topic's metadata, which kafkajs also raises in the sends of other topics. */
const TOPIC_METADATA = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'TOPIC_AUTHORIZATION_FAILED', 'INVALID_TOPIC_EXCEPTION'])

/** How long a topic waits for the other topics of its producer before its second attempt. */
export const SETTLE_WAIT_MS = 35_000

interface Waiter {
  topic: string
  done: () => void
}

export class PooledProducer implements TopicProducer {
  /**
   * Partition count per topic, as seen by the partitioner in the metadata of the last send to that
   * topic. kafkajs silently skips messages for a partition missing from the metadata; the send
   * action uses these counts to report such messages as out of range, at no extra round trip.
   */
  private readonly partitionCounts = new Map<string, number>()
  /** Each topic's partition metadata as of its last send, for the planner. */
  private readonly metadata = new Map<string, PartitionMetadata[]>()
  private readonly planner = new PartitionPlanner(this.metadata)
  /** Requests in flight per topic. */
  private readonly inFlight = new Map<string, number>()
  private readonly waiters = new Set<Waiter>()
  private wakeScheduled = false
  /** Second attempts after a borrowed metadata error run one at a time (see send). */
  private secondAttempts: Promise<void> = Promise.resolve()
  /** The kafkajs producer itself: for this folder (and tests) only. */
  readonly producer: Producer

  /**
   * `guard`: the certificate guard of the client's config (see certificate-guard.ts), if it has one.
   * `idempotent`: kafkajs's idempotent producer, which needs one request in flight per connection (and
   * acks all per send).
   */
  constructor(
    kafka: Kafka,
    private readonly guard?: CertificateGuard,
    idempotent = false
  ) {
    this.producer = kafka.producer({
      createPartitioner: trackingPartitioner(this.partitionCounts, this.metadata),
      ...(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {})
    })
  }

  plan(topic: string, messages: readonly OutgoingMessage[]): number[] | undefined {
    return this.planner.plan(topic, messages)
  }

  partitionCount(topic: string): number | undefined {
    return this.partitionCounts.get(topic)
  }

  /**
   * One request for `messages`. kafkajs refreshes the metadata of every topic a producer sends to at
   * once, and a topic that fails its metadata (unknown, not authorized, invalid) fails the refresh for
   * the others too, for as long as it is being retried. Such an error raised while other topics were in
   * flight may be another topic's: nothing was written, so the request is tried once more, alone: once
   * the other topics have settled, and one such second attempt at a time (the failing topic retries
   * too, and two second attempts together would borrow each other's errors again). A second failure
   * is this topic's own.
   */
  async send(topic: string, messages: readonly OutgoingMessage[], options: SendOptions): Promise<RecordPlacement[]> {
    const shared = { value: false }
    try {
      return await this.attempt(topic, messages, options, shared)
    } catch (error) {
      if (!shared.value || !TOPIC_METADATA.has(protocolType(error) ?? '')) throw error
    }
    const second = this.secondAttempts.then(async () => {
      await this.othersSettled(topic)
      return this.attempt(topic, messages, options)
    })
    this.secondAttempts = second.then(
      () => undefined,
      () => undefined
    )
    return second
  }

  /** One sendBatch; `shared` says whether another topic was in flight at any time during it. */
  private async attempt(
    topic: string,
    messages: readonly OutgoingMessage[],
    options: SendOptions,
    shared?: { value: boolean }
  ): Promise<RecordPlacement[]> {
    this.inFlight.set(topic, (this.inFlight.get(topic) ?? 0) + 1)
    if (shared) shared.value = this.othersInFlight(topic)
    try {
      const response = await this.producer.sendBatch({
        // kafkajs types messages as mutable; it only reads them (and the partitioner sets `partition`).
        topicMessages: [{ topic, messages: messages as OutgoingMessage[] }],
        acks: options.acks,
        compression: compressionType(options.compression),
        timeout: options.timeout
      })
      return placements(topic, messages, response)
    } catch (error) {
      if (shared) shared.value ||= this.othersInFlight(topic)
      throw this.explain(error)
    } finally {
      this.settled(topic)
    }
  }

  /** The error to report of a failed connect or send (a certificate verification error, see the guard). */
  explain(error: unknown): unknown {
    return this.guard ? this.guard.explain(error) : error
  }

  /** Whether another topic than `topic` has a request in flight. */
  othersInFlight(topic: string): boolean {
    for (const [t, n] of this.inFlight) if (t !== topic && n > 0) return true
    return false
  }

  /** Resolves once no other topic than `topic` has a request in flight, or after `maxMs`. */
  othersSettled(topic: string, maxMs = SETTLE_WAIT_MS): Promise<void> {
    if (!this.othersInFlight(topic)) return Promise.resolve()
    return new Promise((resolve) => {
      const waiter: Waiter = {
        topic,
        done: () => {
          clearTimeout(timer)
          this.waiters.delete(waiter)
          resolve()
        }
      }
      const timer = setTimeout(waiter.done, maxMs)
      this.waiters.add(waiter)
    })
  }

  /**
   * One request of `topic` ended: the waiters no other topic holds up any more are woken. The check
   * runs once the callbacks already queued have run, so that a topic going straight into its second
   * attempt (it was waiting too) counts as in flight again and keeps the others waiting.
   */
  private settled(topic: string): void {
    const n = (this.inFlight.get(topic) ?? 1) - 1
    if (n > 0) this.inFlight.set(topic, n)
    else this.inFlight.delete(topic)
    if (this.waiters.size === 0 || this.wakeScheduled) return
    this.wakeScheduled = true
    setImmediate(() => {
      this.wakeScheduled = false
      for (const waiter of this.waiters) if (!this.othersInFlight(waiter.topic)) waiter.done()
    })
  }
}

/** Each message's partition (set by us or the partitioner) with its partition's base offset. */
function placements(
  topic: string,
  messages: readonly OutgoingMessage[],
  response: RecordMetadata[]
): RecordPlacement[] {
  const base = new Map<number, string>()
  for (const r of response) if (r.topicName === topic && r.baseOffset !== undefined) base.set(r.partition, r.baseOffset)
  return messages.map(({ partition }) =>
    partition === undefined ? {} : { partition, ...(base.has(partition) ? { baseOffset: base.get(partition) } : {}) }
  )
}

/** The pool's factory for real producers. Cannot fail: the settings are normalised. */
export function createKafkaProducer(settings: ConnectionSettings): Poolable<PooledProducer> {
  const { config, guard } = guarded(kafkaConfig(settings))
  const pooled = new PooledProducer(new Kafka(config), guard, settings.idempotent === true)
  const { producer } = pooled
  let connected = false
  return {
    value: pooled,
    connect: async () => {
      try {
        await producer.connect()
      } catch (error) {
        throw pooled.explain(error)
      }
      connected = true
    },
    disconnect: () => producer.disconnect(),
    onFatal: (listener) => {
      // kafkajs emits DISCONNECT only when producer.disconnect() runs (a broker that closes a
      // connection is reconnected by kafkajs on the next request). A producer disconnected other than
      // by the pool, e.g. by code holding it, refuses to send: drop it.
      producer.on(producer.events.DISCONNECT, () => {
        if (connected) listener('disconnected')
      })
    }
  }
}
