/**
 * Everything the routes share, built once per server from the opened runner and the config's `server`
 * section: access control, admission (in-flight bound, drain), metrics, dead letters, event delivery,
 * which pages may call which routes (cors.ts) and the request rate limits.
 */
import { producerPool } from '../producers'
import { AccessControl } from './access'
import { Admission } from './admission'
import { OriginPolicy } from './cors'
import { DeadLetters } from './dead-letters'
import { EventDelivery } from './deliver-events'
import { GatewayMetrics } from './metrics'
import { RateLimiter } from './rate-limit'
import { RecentErrors } from './recent-errors'
import { DEFAULT_MAX_IN_FLIGHT_EVENTS, requestSettingsAllowed } from './server-config'
import type { LocalRunner } from './startup'

export interface ServerContext {
  runner: LocalRunner
  access: AccessControl
  admission: Admission
  metrics: GatewayMetrics
  delivery: EventDelivery
  deadLetters?: DeadLetters
  /** Open streams (the console's tails), stopped when the server closes. */
  streams: Set<{ stop(): Promise<void> }>
  /** The last delivery errors, for the console's overview. */
  recentErrors: RecentErrors
  /** Whether request bodies may carry settings (server.allowRequestSettings). */
  allowRequestSettings: boolean
  origins: OriginPolicy
  rateLimits: RateLimiter
}

export function createContext(runner: LocalRunner): ServerContext {
  const server = runner.config.server
  const metrics = new GatewayMetrics(() => producerPool.size)
  const deadLetters = server?.deadLetter ? new DeadLetters(runner, server.deadLetter.topic) : undefined
  const recentErrors = new RecentErrors()
  return {
    runner,
    access: new AccessControl(server),
    admission: new Admission(server?.maxInFlightEvents ?? DEFAULT_MAX_IN_FLIGHT_EVENTS, (n) => metrics.inFlight.set(n)),
    metrics,
    delivery: new EventDelivery(runner, metrics, deadLetters, recentErrors),
    deadLetters,
    recentErrors,
    streams: new Set(),
    allowRequestSettings: requestSettingsAllowed(server),
    origins: new OriginPolicy(server),
    rateLimits: new RateLimiter(server, (limit, writeKey) => metrics.rateLimited.inc({ limit, write_key: writeKey }))
  }
}
