/**
 * The routes an operator or orchestrator watches: `GET /health` (the process answers), `GET /ready` (the
 * brokers answer and the server is not draining) and `GET /metrics` (Prometheus text).
 */
import type { ServerContext } from './context'
import { errorResponse } from './http-io'
import type { Routes } from './route'

export function opsRoutes(context: ServerContext, routes: Routes): void {
  const { destination, config } = context.runner

  routes.set('/health', {
    method: 'GET',
    access: 'open',
    emptyBodyOk: true,
    handler: async () => ({ status: 200, body: { ok: true, status: 'alive' } })
  })

  routes.set('/ready', {
    method: 'GET',
    access: 'open',
    emptyBodyOk: true,
    handler: async () => {
      if (context.admission.isDraining) return { status: 503, body: { ok: false, status: 'draining' } }
      try {
        await destination.testAuthentication({ ...config.settings })
        return { status: 200, body: { ok: true, status: 'ready' } }
      } catch (error) {
        // Open to anyone: the code only, not the message (which names the brokers).
        const code = (errorResponse(error).body.error as { code?: string }).code
        return { status: 503, body: { ok: false, status: 'brokers not answering', code } }
      }
    }
  })

  routes.set('/metrics', {
    method: 'GET',
    access: 'open',
    emptyBodyOk: true,
    handler: async () => {
      const { contentType, body } = await context.metrics.text()
      return { status: 200, body, contentType }
    }
  })
}
