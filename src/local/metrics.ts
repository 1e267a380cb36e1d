/**
 * The server's Prometheus metrics (prom-client, a registry of its own): events received, sent, failed,
 * dead-lettered and not subscribed by write-key name, subscription, topic and error code; send latency;
 * requests by route and status; requests refused by a rate limit; unexpected errors; events in flight; the
 * producer pool's size. Labels carry names, never
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
  readonly unexpectedErrors: Counter<'where' | 'route'>
  readonly rateLimited: Counter<'limit' | 'write_key'>
  readonly sendSeconds: Histogram<'route'>
  readonly inFlight: Gauge

  constructor(poolSize: () => number) {
    const registers = [this.registry]
    const p = METRIC_PREFIX
    // The counters, one row each: name, help, labels.
    const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
      new Counter({ name: `${p}${name}`, help, labelNames, registers })
    this.received = counter('events_received_total', 'Events received, by write-key name and route', [
      'write_key',
      'route'
    ])
    this.sent = counter(
      'events_sent_total',
      'Events acknowledged by Kafka, by write-key name, subscription and topic',
      ['write_key', 'subscription', 'topic']
    )
    this.failed = counter(
      'events_failed_total',
      'Events a subscription failed to deliver, by write-key name, subscription, topic and error code',
      ['write_key', 'subscription', 'topic', 'code']
    )
    this.deadLettered = counter(
      'events_dead_lettered_total',
      'Events written to the dead-letter topic, by write-key name, subscription and error code',
      ['write_key', 'subscription', 'code']
    )
    this.notSubscribed = counter('events_not_subscribed_total', 'Events no subscription matched, by write-key name', [
      'write_key'
    ])
    this.requests = counter('http_requests_total', 'HTTP requests answered, by route and status', ['route', 'status'])
    this.unexpectedErrors = counter(
      'unexpected_errors_total',
      'Unexpected errors (bugs): in a request (answered 500 with a request id), or caught by the last-resort handlers',
      ['where', 'route']
    )
    this.rateLimited = counter(
      'requests_rate_limited_total',
      "Requests refused with 429 by a rate limit: limit 'client' (per client address, write_key '-') or 'write_key' (by its name)",
      ['limit', 'write_key']
    )
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
