/**
 * The routes an operator or orchestrator watches: `GET /health` (the process answers), `GET /ready` (the
 * brokers answer and the server is not draining) and `GET /metrics` (Prometheus text).
 */
import type { ServerContext } from './context'
import { errorResponse } from './http-io'
import type { Routes } from './route'

export function opsRoutes(context: ServerContext, routes: Routes): void {
  const { definition, config } = context.runner
  const testConnection = async (settings: Record<string, unknown>): Promise<void> => {
    await definition.authentication?.testAuthentication?.(undefined as never, { settings } as never)
  }

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
    handler: async (_body, request) => {
      if (context.admission.isDraining) return { status: 503, body: { ok: false, status: 'draining' } }
      try {
        await testConnection({ ...config.settings })
        return { status: 200, body: { ok: true, status: 'ready' } }
      } catch (error) {
        // The destination's own connection test (not actions-core's wrapper, which turns every failure into
        // a plain Error): its code names the cause (ENOTFOUND, ECONNREFUSED, SASL_AUTHENTICATION_FAILED...).
        // The message names the brokers: for the admin (or anyone, on an open server) only.
        const { code, message } = (errorResponse(error).body.error ?? {}) as { code?: string; message?: string }
        const body: Record<string, unknown> = { ok: false, status: 'brokers not answering', code }
        if (context.access.isAdminRequest(request.headers)) body.message = message
        return { status: 503, body }
      }
    }
  })

  routes.set('/metrics', {
    method: 'GET',
    access: 'open',
    emptyBodyOk: true,
    handler: async (_body, request) => {
      context.access.checkMetrics(request.headers)
      const { contentType, body } = await context.metrics.text()
      return { status: 200, body, contentType }
    }
  })
}
