/**
 * The server's Prometheus metrics (prom-client, a registry of its own): events received, sent, failed,
 * dead-lettered and not subscribed by write-key name, subscription, topic and error code; send latency;
 * requests by route and status; events in flight; the producer pool's size. Labels carry names, never
 * keys or tokens.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export const METRIC_PREFIX = 'kafka_gateway_'

export class GatewayMetrics {
  readonly registry = new Registry()
  readonly received: Counter<'write_key' | 'route'>
  readonly sent: Counter<'write_key' | 'subscription' | 'topic'>
  readonly failed: Counter<'write_key' | 'subscription' | 'topic' | 'code'>
  readonly deadLettered: Counter<'write_key' | 'subscription' | 'code'>
  readonly notSubscribed: Counter<'write_key'>
  readonly requests: Counter<'route' | 'status'>
  readonly sendSeconds: Histogram<'route'>
  readonly inFlight: Gauge

  constructor(poolSize: () => number) {
    const registers = [this.registry]
    const p = METRIC_PREFIX
    this.received = new Counter({
      name: `${p}events_received_total`,
      help: 'Events received, by write-key name and route',
      labelNames: ['write_key', 'route'],
      registers
    })
    this.sent = new Counter({
      name: `${p}events_sent_total`,
      help: 'Events acknowledged by Kafka, by write-key name, subscription and topic',
      labelNames: ['write_key', 'subscription', 'topic'],
      registers
    })
    this.failed = new Counter({
      name: `${p}events_failed_total`,
      help: 'Events a subscription failed to deliver, by write-key name, subscription, topic and error code',
      labelNames: ['write_key', 'subscription', 'topic', 'code'],
      registers
    })
    this.deadLettered = new Counter({
      name: `${p}events_dead_lettered_total`,
      help: 'Events written to the dead-letter topic, by write-key name, subscription and error code',
      labelNames: ['write_key', 'subscription', 'code'],
      registers
    })
    this.notSubscribed = new Counter({
      name: `${p}events_not_subscribed_total`,
      help: 'Events no subscription matched, by write-key name',
      labelNames: ['write_key'],
      registers
    })
    this.requests = new Counter({
      name: `${p}http_requests_total`,
      help: 'HTTP requests answered, by route and status',
      labelNames: ['route', 'status'],
      registers
    })
    this.sendSeconds = new Histogram({
      name: `${p}send_duration_seconds`,
      help: "Time from a request's events entering the subscriptions to every event acknowledged or failed",
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers
    })
    this.inFlight = new Gauge({
      name: `${p}events_in_flight`,
      help: 'Events accepted and not yet answered',
      registers
    })
    new Gauge({
      name: `${p}producer_pool_size`,
      help: 'Connected Kafka producers in the pool',
      registers,
      collect() {
        this.set(poolSize())
      }
    })
    collectDefaultMetrics({ register: this.registry, prefix: p })
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
