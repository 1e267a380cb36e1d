/**
 * The process-wide pool of Kafka producers the send action uses, and what a host may do with it:
 * watch its evictions and failed disconnects (observeProducerPool) and close it (closeAllProducers).
 * Size and idle time come from the environment: KAFKA_PRODUCER_POOL_MAX (default 100) and
 * KAFKA_PRODUCER_POOL_IDLE_MS (default 300000).
 */
import { createKafkaProducer, type PooledProducer } from './kafka/producer'
import { ProducerPool, type PoolObserver } from './producer-pool'
import type { ConnectionSettings } from './settings'

function positiveInt(name: string): number | undefined {
  const text = process.env[name]
  if (text === undefined || text === '') return undefined
  const n = Number(text)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

type Observer = PoolObserver<ConnectionSettings>

const observers = new Set<Observer>()

/** Reports the pool's events to every observer registered with observeProducerPool(). */
const fanOut: Required<Observer> = {
  evicted: (key, reason, settings) => observers.forEach((o) => o.evicted?.(key, reason, settings)),
  disconnectFailed: (key, error, settings) => observers.forEach((o) => o.disconnectFailed?.(key, error, settings))
}

export const producerPool = new ProducerPool<ConnectionSettings, PooledProducer>({
  factory: createKafkaProducer,
  max: positiveInt('KAFKA_PRODUCER_POOL_MAX'),
  idleMs: positiveInt('KAFKA_PRODUCER_POOL_IDLE_MS'),
  observer: fanOut
})

/**
 * Registers an observer of the pool's evictions and failed disconnects (they happen outside any one
 * call, so no call's statsContext or logger hears of them). Returns the function that unregisters it.
 */
export function observeProducerPool(observer: Observer): () => void {
  observers.add(observer)
  return () => observers.delete(observer)
}

/** Disconnects every pooled producer (graceful shutdown). The pool stays usable afterwards. */
export function closeAllProducers(): Promise<void> {
  return producerPool.closeAll()
}
