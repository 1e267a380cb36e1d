/**
 * The producer the pool keeps for one connection: a kafkajs producer (client config, partitioner,
 * codecs) wrapped so the send path sees only `send` and `partitionCount`, and kafkajs's quirks are
 * handled here.
 */
import { Kafka, type PartitionMetadata, type Producer, type ProducerBatch, type RecordMetadata } from 'kafkajs'
import './codecs'
import type { Poolable } from '../producer-pool'
import type { ConnectionSettings } from '../settings'
import { guarded, type CertificateGuard } from './certificate-guard'
import { kafkaConfig } from './client-config'
import { compressionType } from './codecs'
import { protocolType } from './errors'
import { PartitionPlanner, trackingPartitioner } from './partitioner'
import { ProducerGenerations, type Generation } from './producer-generations'
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
  /**
   * With idempotent delivery, the idempotent producers of acks-all sends: one send at a time, and a
   * fresh producer after a failed one (see producer-generations.ts).
   */
  private readonly idempotent?: ProducerGenerations<Producer>
  /**
   * The producer without idempotence: every send when idempotent delivery is off; with it on, the
   * sends of mappings that ask for acks leader or none (Kafka's idempotence needs acks all), built and
   * connected on the first such send.
   */
  private plain?: Producer
  private plainReady?: Promise<Producer>
  /** The kafkajs producers this object disconnected itself (retired ones included). */
  private readonly closing = new WeakSet<Producer>()
  /** Told when a producer disconnects other than through this object (see createKafkaProducer). */
  onUnexpectedDisconnect?: () => void

  /**
   * `guard`: the certificate guard of the client's config (see certificate-guard.ts), if it has one.
   * `idempotent`: idempotent delivery for acks-all sends (kafkajs's idempotent producer, one request
   * in flight per connection).
   */
  constructor(
    private readonly kafka: Kafka,
    private readonly guard?: CertificateGuard,
    idempotent = false
  ) {
    if (idempotent) {
      this.idempotent = new ProducerGenerations(() =>
        this.generation(this.build({ idempotent: true, maxInFlightRequests: 1 }))
      )
    } else {
      this.plain = this.build({})
    }
  }

  /** The kafkajs producer of acks-all sends (for this folder and tests only). */
  get producer(): Producer {
    return this.idempotent ? this.idempotent.value : (this.plain as Producer)
  }

  /** How many idempotent producers were retired after a failed send. */
  get retired(): number {
    return this.idempotent?.retired ?? 0
  }

  private build(options: { idempotent?: boolean; maxInFlightRequests?: number }): Producer {
    const producer = this.kafka.producer({
      createPartitioner: trackingPartitioner(this.partitionCounts, this.metadata),
      ...options
    })
    producer.on(producer.events.DISCONNECT, () => {
      if (!this.closing.has(producer)) this.onUnexpectedDisconnect?.()
    })
    return producer
  }

  private generation(producer: Producer): Generation<Producer> {
    return { value: producer, connect: () => producer.connect(), disconnect: () => this.close(producer) }
  }

  private close(producer: Producer): Promise<void> {
    this.closing.add(producer)
    return producer.disconnect()
  }

  /** Connects the producer of acks-all sends (the pool's connect). */
  connect(): Promise<void> {
    return this.idempotent ? this.idempotent.connect() : this.connectPlain().then(() => undefined)
  }

  /** Disconnects every producer of this connection. */
  async disconnect(): Promise<void> {
    const plain = this.plain
    await Promise.all([this.idempotent?.disconnect(), plain ? this.close(plain) : undefined])
  }

  private connectPlain(): Promise<Producer> {
    const producer = (this.plain ??= this.build({}))
    this.plainReady ??= producer.connect().then(
      () => producer,
      (error: unknown) => {
        // Not kept: the next send tries again.
        this.plainReady = undefined
        throw error
      }
    )
    return this.plainReady
  }

  /** Acks-all sends go to the idempotent producers when idempotent delivery is on. */
  private sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (this.idempotent && batch.acks === -1) {
      return this.idempotent.run(
        (p) => p.sendBatch(batch),
        (response) => answered(batch, response)
      )
    }
    return this.connectPlain().then((p) => p.sendBatch(batch))
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
      const response = await this.sendBatch({
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

/**
 * Whether every partition a batch wrote to is in the response. kafkajs can resolve without one: when a
 * broker's request failed and, on kafkajs's retry, the partition's new leader is a broker that had
 * answered already, that partition is never sent again. Its records may have been written by the old
 * leader under sequence numbers kafkajs then rolled back: the producer must be retired.
 */
function answered(batch: ProducerBatch, response: RecordMetadata[]): boolean {
  const got = new Set(response.map((r) => `${r.topicName}\u0000${r.partition}`))
  return (batch.topicMessages ?? []).every(({ topic, messages }) =>
    messages.every((m) => m.partition === undefined || got.has(`${topic}\u0000${m.partition}`))
  )
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
  const pooled = new PooledProducer(new Kafka(config), guard, settings.idempotent !== false)
  return {
    value: pooled,
    connect: async () => {
      try {
        await pooled.connect()
      } catch (error) {
        throw pooled.explain(error)
      }
    },
    disconnect: () => pooled.disconnect(),
    onFatal: (listener) => {
      // kafkajs emits DISCONNECT only when producer.disconnect() runs (a broker that closes a
      // connection is reconnected by kafkajs on the next request). A producer disconnected other than
      // by this object, e.g. by code holding it, refuses to send: drop it.
      pooled.onUnexpectedDisconnect = () => listener('disconnected')
    }
  }
}
