/**
 * What Segment's browser SDK (analytics.js 2.0, `@segment/analytics-next`) fetches before it sends:
 * `GET /v1/projects/<writeKey>/settings`, which Segment's CDN serves and a page reaches here with
 * `cdnURL` set to the gateway. For a known write key the answer sends the SDK's events back to this
 * gateway (`integrations["Segment.io"]`: apiKey, apiHost, protocol) and turns off what would call
 * Segment (the SDK's own telemetry) or load more code (device-mode destinations, plans, middleware);
 * nothing of the gateway's config is in it. For an unknown key it answers as Segment's CDN does (404,
 * `text/plain`), and the SDK's `load` then fails, so that the page sends nothing.
 */
import type { ServerContext } from './context'
import { publicBase } from './public-url'
import type { Routes } from './route'

export const SETTINGS_ROUTE = '/v1/projects/:writeKey/settings'
/** Browsers and proxies may keep the settings this long: a page view fetches them once. */
export const SETTINGS_MAX_AGE_SECONDS = 60
/** The body Segment's CDN answers for a write key it does not know (status 404). */
export const UNKNOWN_KEY_TEXT = 'Cannot GET - Invalid path or write key provided.'

/** The settings the SDK needs to send to `protocol://apiHost/<t|p|i|g|a|s|b>`, and nothing it could load. */
export function browserSettings(writeKey: string, protocol: string, apiHost: string): Record<string, unknown> {
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost,
        protocol,
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {}
      }
    },
    plan: {},
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    // The SDK reports its own counters to api.segment.io unless the sample rate is 0.
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: []
  }
}

export function browserRoutes(context: ServerContext, routes: Routes): void {
  const server = context.runner.config.server
  const tls = server?.tls !== undefined
  routes.set(SETTINGS_ROUTE, {
    method: 'GET',
    access: 'open',
    emptyBodyOk: true,
    browser: true,
    handler: async (_body, request) => {
      const writeKey = request.params?.writeKey ?? ''
      if (!context.access.knowsWriteKey(writeKey)) {
        return {
          status: 404,
          body: UNKNOWN_KEY_TEXT,
          contentType: 'text/plain; charset=utf-8',
          headers: { 'cache-control': 'no-store' }
        }
      }
      const base = publicBase(server, request.headers, tls)
      return {
        status: 200,
        body: browserSettings(writeKey, base.protocol, `${base.host}${base.path}/v1`),
        headers: { 'cache-control': `public, max-age=${SETTINGS_MAX_AGE_SECONDS}` }
      }
    }
  })
}
