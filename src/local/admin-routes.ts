/**
 * The admin routes behind the console (admin token; never answered cross-origin): the overview of the
 * cluster and the gateway, the topics (list, create), the subscriptions as loaded, the playground's dry
 * run and real send; the dead letters and the tail have files of their own. Each is usable with curl.
 */
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import { createTopic, describeCluster, describeTopics } from '../kafka/cluster'
import { producerPool } from '../producers'
import { normaliseSettings } from '../settings'
import { adminSchemas } from './admin-schemas'
import type { ServerContext } from './context'
import { deadLetterRoutes } from './dead-letter-routes'
import { DryRun } from './dry-run'
import { check, errorResponse } from './http-io'
import type { Routes } from './route'
import { tailRoute } from './tail-route'

const GET = { method: 'GET', access: 'admin', emptyBodyOk: true } as const
const POST = { method: 'POST', access: 'admin', emptyBodyOk: false } as const

/** An error as the console shows it: code and message (mapped, never a secret). */
export function shownError(error: unknown): { code?: string; message?: string } {
  const e = errorResponse(error).body.error as { code?: string; message?: string }
  return { code: e.code, message: e.message }
}

/** Counter values summed by subscription. */
async function bySubscription(
  counter: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> },
  into: Map<string, Record<string, number>>,
  name: string
): Promise<void> {
  for (const { labels, value } of (await counter.get()).values) {
    const s = String(labels.subscription ?? '')
    const row = into.get(s) ?? { sent: 0, failed: 0, deadLettered: 0 }
    row[name] = (row[name] ?? 0) + value
    into.set(s, row)
  }
}

export function adminRoutes(context: ServerContext, routes: Routes): void {
  const { runner, metrics } = context
  const { config, destination, definition } = runner
  const connection = () => normaliseSettings(config.settings as never)
  const dryRun = new DryRun(runner)

  routes.set('/admin/overview', {
    ...GET,
    handler: async () => {
      const [cluster, test] = await Promise.allSettled([
        describeCluster(connection()),
        destination.testAuthentication({ ...config.settings })
      ])
      const stats = new Map<string, Record<string, number>>()
      for (const s of config.subscriptions) stats.set(s.name, { sent: 0, failed: 0, deadLettered: 0 })
      await bySubscription(metrics.sent, stats, 'sent')
      await bySubscription(metrics.failed, stats, 'failed')
      await bySubscription(metrics.deadLettered, stats, 'deadLettered')
      const received = (await metrics.received.get()).values.reduce((n, v) => n + v.value, 0)
      const notSubscribed = (await metrics.notSubscribed.get()).values.reduce((n, v) => n + v.value, 0)
      return {
        status: 200,
        body: {
          ok: true,
          cluster: cluster.status === 'fulfilled' ? cluster.value : { error: shownError(cluster.reason) },
          connectionTest: test.status === 'fulfilled' ? { ok: true } : { ok: false, ...shownError(test.reason) },
          producerPool: { size: producerPool.size },
          events: { received, notSubscribed },
          subscriptions: [...stats].map(([name, counts]) => ({ name, ...counts })),
          deadLetterTopic: context.deadLetters?.topic ?? null,
          lastErrors: context.recentErrors.list()
        }
      }
    }
  })

  routes.set('/admin/topics', {
    ...GET,
    handler: async () => {
      const topics = await describeTopics(connection())
      return {
        status: 200,
        body: {
          ok: true,
          topics: topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.length,
            replicationFactor: t.partitions[0]?.replicas.length ?? 0,
            details: t.partitions
          }))
        }
      }
    }
  })

  routes.set('/admin/topics/create', {
    ...POST,
    handler: async (raw) => {
      const body = check<{ topic: string; partitions: number; replicationFactor: number; minInsyncReplicas?: number }>(
        adminSchemas.createTopic,
        raw
      )
      const created = await createTopic(connection(), body)
      return {
        status: created ? 201 : 409,
        body: created
          ? { ok: true, topic: body.topic }
          : { ok: false, error: { code: 'TOPIC_ALREADY_EXISTS', message: `topic "${body.topic}" exists already` } }
      }
    }
  })

  routes.set('/admin/subscriptions', {
    ...GET,
    handler: async () => {
      const fields = definition.authentication?.fields ?? {}
      const settings: JSONObject = {}
      for (const [name, value] of Object.entries(config.settings)) {
        const secret = (fields as Record<string, { type?: string }>)[name]?.type === 'password'
        settings[name] = secret && value !== '' ? '********' : value
      }
      return { status: 200, body: { ok: true, settings, subscriptions: config.subscriptions } }
    }
  })

  routes.set('/admin/dry-run', {
    ...POST,
    handler: async (raw) => {
      const { event } = check<{ event: SegmentEvent }>(adminSchemas.event, raw)
      return { status: 200, body: { ok: true, results: await dryRun.run(event) } }
    }
  })

  routes.set('/admin/send', {
    ...POST,
    handler: async (raw, { caller, path }) => {
      const { event } = check<{ event: SegmentEvent }>(adminSchemas.event, raw)
      const release = context.admission.reserve(1)
      try {
        const { outcomes } = await context.delivery.deliver([event], caller, path, true)
        return { status: 200, body: { ok: outcomes[0].status !== 'failed', ...outcomes[0] } }
      } finally {
        release()
      }
    }
  })

  deadLetterRoutes(context, routes)
  tailRoute(context, routes)
}
