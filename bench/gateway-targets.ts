/**
 * The server's HTTP paths as bench targets, each with the server in the measuring process (port 0,
 * loopback, a write key checked on every request), so the figures include both sides of the HTTP path:
 *
 * - `http-batch`: Segment's Node SDK (@segment/analytics-node) posting to `/v1/batch`, `flushAt` = the
 *   row's batch size (the SDK still splits a batch above its 500 KB limit);
 * - `http-events`: raw HTTP `POST /events` with an array of the row's batch size.
 *
 * Both go through the config's subscription (the same mapping as `ours`) and are compared with `ours`,
 * the direct `Destination.onBatch` of the same row.
 */
import * as http from 'node:http'
import * as path from 'node:path'
import type { SegmentEvent } from '@segment/actions-core'
import { mapping } from './events'
import type { Target, TargetOptions } from './targets'

const ROOT = path.resolve(__dirname, '..')
export const WRITE_KEY = 'bench-write-key-0123456789'

export interface RunningServer {
  url: string
  close(): Promise<void>
}

/** The compiled build run.ts made (BENCH_OURS_DIR), or the TypeScript sources through tsx. */
export async function startGateway(options: Pick<TargetOptions, 'brokers' | 'topic'>): Promise<RunningServer> {
  const from = process.env.BENCH_OURS_DIR ?? path.join(ROOT, 'src')
  const { startServer } = require(path.join(from, 'local', 'server')) as {
    startServer(o: unknown): Promise<RunningServer>
  }
  return startServer({
    port: 0,
    config: {
      settings: { brokers: options.brokers, clientId: 'bench', mechanism: 'none', ssl_enabled: false },
      subscriptions: [
        { name: 'bench', subscribe: 'type = "track"', partnerAction: 'send', mapping: mapping(options.topic) }
      ],
      server: { writeKeys: [{ name: 'bench', key: WRITE_KEY }], maxInFlightEvents: 100000 }
    }
  })
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const data = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
        }
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      }
    )
    req.on('error', reject)
    req.end(data)
  })
}

export function httpEventsTarget(options: TargetOptions): Target {
  const started = startGateway(options)
  const send = async (events: SegmentEvent[]): Promise<void> => {
    const server = await started
    const { status, text } = await post(`${server.url}/events`, events)
    const body = JSON.parse(text) as { ok?: boolean }
    if (status !== 200 || !body.ok) throw new Error(`/events answered ${status}: ${text.slice(0, 500)}`)
  }
  return {
    sendOne: (event) => send([event]),
    sendBatch: (events) => send(events),
    close: async () => {
      await (await started).close()
      agent.destroy()
    }
  }
}

interface Sdk {
  track(params: Record<string, unknown>, callback: (error?: unknown) => void): void
  closeAndFlush(options?: { timeout?: number }): Promise<void>
}

export function httpBatchTarget(options: TargetOptions, batchSize: number): Target {
  const started = startGateway(options)
  let sdk: Sdk | undefined
  const client = async (): Promise<Sdk> => {
    const server = await started
    if (!sdk) {
      const { Analytics } = require('@segment/analytics-node') as { Analytics: new (o: unknown) => Sdk }
      sdk = new Analytics({
        writeKey: WRITE_KEY,
        host: server.url,
        flushAt: batchSize,
        flushInterval: 60000,
        maxRetries: 0
      })
    }
    return sdk
  }
  const send = async (events: SegmentEvent[]): Promise<void> => {
    const analytics = await client()
    await Promise.all(
      events.map(
        (e) =>
          new Promise<void>((resolve, reject) =>
            analytics.track(
              {
                userId: e.userId,
                event: e.event,
                properties: e.properties,
                context: e.context,
                timestamp: e.timestamp,
                messageId: e.messageId
              },
              (error) => (error ? reject(new Error(`the SDK failed: ${String(error)}`)) : resolve())
            )
          )
      )
    )
  }
  return {
    sendOne: (event) => send([event]),
    sendBatch: (events) => send(events),
    close: async () => {
      await sdk?.closeAndFlush({ timeout: 30000 })
      await (await started).close()
    }
  }
}
