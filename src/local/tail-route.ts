/**
 * `GET /admin/tail?topic=<name>&last=<n>`: the last n records of each partition of a topic, then new
 * ones as they arrive, as server-sent events (one `record` event each: partition, offset, timestamp, key,
 * headers, value decoded as in the playground). Bounded: a few tails at once, each for at most
 * TAIL_MAX_MS; a tail stops when its client goes away (the tab closes) or the server closes, and its
 * reader's consumer group is deleted then (src/kafka/reader.ts).
 */
import type { ServerResponse } from 'node:http'
import { openReader, type ConsumedRecord } from '../kafka/reader'
import { decodeForDisplay } from '../schema/decode'
import { normaliseSettings } from '../settings'
import type { ServerContext } from './context'
import { RequestError } from './http-io'
import type { Routes } from './route'

export const MAX_TAILS = 5
export const TAIL_MAX_MS = 15 * 60_000
export const TAIL_LAST_MAX = 200
const HEARTBEAT_MS = 15_000
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/

export function tailRoute(context: ServerContext, routes: Routes): void {
  const { config } = context.runner

  routes.set('/admin/tail', {
    method: 'GET',
    access: 'admin',
    emptyBodyOk: true,
    handler: async (_raw, { query }) => {
      const topic = query.get('topic') ?? ''
      if (!TOPIC.test(topic)) throw new RequestError(400, 'INVALID_REQUEST', 'topic must be a Kafka topic name')
      const lastText = query.get('last') ?? '20'
      const last = Number(lastText)
      if (!/^\d+$/.test(lastText) || last > TAIL_LAST_MAX)
        throw new RequestError(400, 'INVALID_REQUEST', `last must be a whole number from 0 to ${TAIL_LAST_MAX}`)
      if (context.streams.size >= MAX_TAILS)
        throw new RequestError(429, 'TOO_MANY_TAILS', `at most ${MAX_TAILS} tails at once: close one first`)

      const settings = normaliseSettings(config.settings as never)
      let res: ServerResponse | undefined
      const early: ConsumedRecord[] = []
      let chain = Promise.resolve()
      const write = (r: ConsumedRecord): void => {
        chain = chain.then(async () => {
          const [key, value] = await Promise.all([
            decodeForDisplay(settings.registry, r.key, true),
            decodeForDisplay(settings.registry, r.value)
          ])
          const { partition, offset, timestamp, headers } = r
          res?.write(
            `event: record\ndata: ${JSON.stringify({ topic, partition, offset, timestamp, key, headers, value })}\n\n`
          )
        })
      }
      const reader = await openReader(settings, topic, {
        last,
        follow: true,
        onRecord: (r) => (res ? write(r) : early.push(r))
      })
      const stream = { stop: () => reader.stop() }
      context.streams.add(stream)
      return {
        status: 200,
        body: null,
        stream: (out) => {
          if (out.destroyed) {
            context.streams.delete(stream)
            void reader.stop()
            return
          }
          res = out
          out.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            'x-accel-buffering': 'no'
          })
          out.write(`event: ready\ndata: ${JSON.stringify({ topic, last })}\n\n`)
          for (const r of early.splice(0)) write(r)
          const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS)
          const limit = setTimeout(() => {
            out.write(`event: end\ndata: ${JSON.stringify({ reason: 'time limit' })}\n\n`)
            out.end()
          }, TAIL_MAX_MS)
          out.on('close', () => {
            clearInterval(heartbeat)
            clearTimeout(limit)
            context.streams.delete(stream)
            void reader.stop()
          })
        }
      }
    }
  })
}
