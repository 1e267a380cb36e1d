/**
 * Segment's browser SDK (analytics.js 2.0, `@segment/analytics-next`, unmodified, its UMD bundle from
 * node_modules) in headless Chromium, on a page of another origin than the gateway, loaded with only
 * `writeKey` and `cdnURL`: every call type lands in Kafka (read back with kcat) with the page's context
 * and the SDK's library; an unknown write key, a refused write key and a page of an origin not allowed
 * land nothing (and nothing is retried forever); the rate limit's 429 is retried by the SDK and its
 * events land once; sendBeacon (the write key in a text/plain body) lands.
 */
import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { UNKNOWN_KEY_TEXT } from '../../src/local/browser-routes'
import { startServer, type RunningServer } from '../../src/local/server'
import { launchBrowser, serveSite, watchProblems, type PageProblems, type StaticSite } from '../helpers/browser'
import { call, gatewayConfig, readUntil, securedServer, values, WRITE_KEY } from '../helpers/gateway'
import { createTopic, readTopic, uniqueTopic } from '../helpers/kafka'
import { until } from '../helpers/wait'

jest.setTimeout(60000)

const SHOP =
  '<!doctype html><html><head><title>Shop</title><link rel="icon" href="data:,"><script src="/sdk/index.js"></script></head><body>Shop</body></html>'

/**
 * The loader a website owner pastes (docs/sdks.md): Segment's snippet pattern (a buffer of calls made
 * before the SDK arrives), analytics.js's standalone build hosted by the site, and `_cdn` naming the
 * gateway, where the SDK fetches its settings. The user id comes from the page's hash.
 */
const snippet = (writeKey: string, gatewayUrl: string): string => `<!doctype html><html><head><title>Snippet</title>
<link rel="icon" href="data:,"><script>
!function () {
  var analytics = (window.analytics = window.analytics || [])
  if (analytics.initialize || analytics.invoked) return
  analytics.invoked = true
  ;['track', 'identify', 'page', 'group', 'alias', 'screen', 'reset', 'ready', 'on', 'off'].forEach(function (m) {
    analytics[m] = function () {
      analytics.push([m].concat(Array.prototype.slice.call(arguments)))
      return analytics
    }
  })
  analytics._writeKey = '${writeKey}'
  analytics._cdn = '${gatewayUrl}'
  var script = document.createElement('script')
  script.async = true
  script.src = '/sdk/standalone.js'
  document.head.appendChild(script)
  analytics.page()
}()
analytics.identify(location.hash.slice(1), { plan: 'pro' })
analytics.track('Snippet Loaded')
</script></head><body>Snippet</body></html>`

let browser: Browser
let site: StaticSite
let otherSite: StaticSite
let topic: string
let gateway: RunningServer
const opened: { close(): Promise<void> }[] = []
/** The allowed site's pages (read per request: the snippet page is added once the gateway's URL is known). */
const pages: Record<string, string> = { '/': SHOP, '/checkout': SHOP }

beforeAll(async () => {
  ;[browser, site, otherSite, topic] = await Promise.all([
    launchBrowser(),
    serveSite(pages),
    serveSite({ '/': SHOP }),
    createTopic(uniqueTopic('browser-sdk'))
  ])
  gateway = await startServer({
    port: 0,
    config: gatewayConfig(topic, securedServer({ allowedOrigins: [site.origin] }))
  })
  pages['/snippet'] = snippet(WRITE_KEY, gateway.url)
})

afterAll(async () => {
  await Promise.allSettled([...opened.map((o) => o.close()), gateway?.close(), site?.close(), otherSite?.close()])
  await browser?.close()
})

/** A new page (its own context: no shared storage or preflight cache) at `url`, watched for problems. */
async function open(url: string): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext()
  opened.push(context)
  const page = await context.newPage()
  const problems = watchProblems(page)
  await page.goto(url)
  return { page, problems }
}

interface Sent {
  loaded: boolean
  loadError?: string
  ids: string[]
  failed: number
}

/** What the page runs: load the SDK with writeKey and cdnURL only, then one of each call, awaited. */
async function sendEveryCall(page: Page, writeKey: string, cdnURL: string, userId: string): Promise<Sent> {
  return page.evaluate(
    async ({ writeKey, cdnURL, userId }) => {
      interface Ctx {
        event: { messageId: string }
        failedDelivery(): unknown
      }
      type Call = (...args: unknown[]) => Promise<Ctx>
      interface Analytics {
        identify: Call
        track: Call
        page: Call
        group: Call
        alias: Call
      }
      const g = globalThis as unknown as {
        AnalyticsNext: { AnalyticsBrowser: { load(s: object): Promise<[Analytics, unknown]> } }
      }
      let analytics: Analytics
      try {
        ;[analytics] = await g.AnalyticsNext.AnalyticsBrowser.load({ writeKey, cdnURL })
      } catch (error) {
        return { loaded: false, loadError: (error as Error).message, ids: [], failed: 0 }
      }
      const contexts = [
        await analytics.identify(userId, { plan: 'pro' }),
        await analytics.track('Order Completed', { total: 42 }),
        await analytics.page('Shop', 'Checkout'),
        await analytics.group('group-1', { seats: 5 }),
        await analytics.alias(userId, `anon-${userId}`)
      ]
      return {
        loaded: true,
        ids: contexts.map((c) => c.event.messageId),
        failed: contexts.filter((c) => c.failedDelivery()).length
      }
    },
    { writeKey, cdnURL, userId }
  )
}

async function landed(ids: string[]): Promise<Record<string, unknown>[]> {
  const records = await readUntil(topic, (rs) => ids.every((id) => rs.some((r) => r.key === id)))
  return values(records.filter((r) => ids.includes(r.key ?? '')))
}

/** The records of `userId` (as userId or previousId), read after a gateway answered every request. */
async function recordsOf(userId: string): Promise<Record<string, unknown>[]> {
  return values(await readTopic(topic)).filter((v) => v.userId === userId || v.previousId === userId)
}

async function requestCount(route: string, status: string): Promise<number> {
  const metrics = await call(gateway.url, 'GET', '/metrics')
  const line = metrics.text
    .split('\n')
    .find((l) => l.startsWith(`kafka_gateway_http_requests_total{route="${route}",status="${status}"}`))
  return line ? Number(line.split(' ').pop()) : 0
}

describe('analytics.js in Chromium, through the gateway', () => {
  it('sends identify, track, page, group and alias from a page of another origin into Kafka', async () => {
    const { page, problems } = await open(`${site.origin}/checkout?coupon=x`)
    const userId = `u-${randomUUID()}`
    const sent = await sendEveryCall(page, WRITE_KEY, gateway.url, userId)
    expect(sent).toMatchObject({ loaded: true, failed: 0 })

    const records = await landed(sent.ids)
    expect(records.map((r) => r.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track'])
    for (const r of records) {
      const context = r.context as { page?: Record<string, unknown>; library?: Record<string, unknown> }
      expect(context.page).toMatchObject({ url: `${site.origin}/checkout?coupon=x`, path: '/checkout', title: 'Shop' })
      expect(context.library).toMatchObject({ name: 'analytics.js' })
      expect(r).not.toHaveProperty('writeKey')
      expect(r.receivedAt).toEqual(expect.any(String))
    }
    const byType = Object.fromEntries(records.map((r) => [r.type, r]))
    expect(byType.track).toMatchObject({ event: 'Order Completed', properties: { total: 42 }, userId })
    expect(byType.identify).toMatchObject({ userId, traits: { plan: 'pro' } })
    expect(byType.page).toMatchObject({ category: 'Shop', name: 'Checkout' })
    expect(byType.group).toMatchObject({ groupId: 'group-1', traits: { seats: 5 } })
    expect(byType.alias).toMatchObject({ userId, previousId: `anon-${userId}` })
    expect(records).toHaveLength(5)
    expect(problems).toEqual({ errors: [], consoleErrors: [] })
  })

  it("an unknown write key gets the CDN's 404: load fails, nothing is sent, nothing lands", async () => {
    const { page, problems } = await open(`${site.origin}/`)
    const userId = `u-${randomUUID()}`
    const sent = await sendEveryCall(page, 'wk-not-configured-0123456789', gateway.url, userId)
    expect(sent).toEqual({ loaded: false, loadError: UNKNOWN_KEY_TEXT, ids: [], failed: 0 })
    expect(await recordsOf(userId)).toEqual([])
    expect(problems.errors).toEqual([])
    // The browser's note of the 404, and the SDK's console.error of the CDN's text: expected.
    expect(problems.consoleErrors).toEqual([expect.stringMatching(/404/), UNKNOWN_KEY_TEXT])
  })

  it('a write key the gateway refuses (401) is dropped by the SDK after one try each, not retried', async () => {
    const { page, problems } = await open(`${site.origin}/`)
    const userId = `u-${randomUUID()}`
    const before = await requestCount('/v1/t', '401')
    // Settings that point the SDK at the gateway with a key the gateway does not know.
    const settings = (await call(gateway.url, 'GET', `/v1/projects/${WRITE_KEY}/settings`)).body
    const integrations = settings.integrations as Record<string, Record<string, unknown>>
    integrations['Segment.io'].apiKey = 'wk-revoked-0123456789abcdef'
    const result = await page.evaluate(
      async ({ cdnSettings, userId }) => {
        interface Ctx {
          failedDelivery(): unknown
        }
        const g = globalThis as unknown as {
          AnalyticsNext: {
            AnalyticsBrowser: {
              load(s: object): Promise<[{ track(e: string, p: object): Promise<Ctx> }, unknown]>
            }
          }
        }
        const [analytics] = await g.AnalyticsNext.AnalyticsBrowser.load({
          writeKey: 'wk-revoked-0123456789abcdef',
          cdnSettings
        })
        const ctx = await analytics.track('Refused', { userId })
        return { failed: Boolean(ctx.failedDelivery()) }
      },
      { cdnSettings: settings, userId }
    )
    expect(result).toEqual({ failed: true })
    expect((await requestCount('/v1/t', '401')) - before).toBe(1)
    expect(await recordsOf(userId)).toEqual([])
    expect(problems.errors).toEqual([])
    expect(problems.consoleErrors).toEqual([expect.stringMatching(/401/)])
  })

  it('a page of an origin not allowed gets no CORS answer: load fails and its sendBeacon lands nothing', async () => {
    const { page, problems } = await open(`${otherSite.origin}/`)
    const userId = `u-${randomUUID()}`
    const sent = await sendEveryCall(page, WRITE_KEY, gateway.url, userId)
    expect(sent).toMatchObject({ loaded: false, ids: [] })
    const before = await requestCount('/v1/t', '403')
    const queued = await beacon(page, `${gateway.url}/v1/t`, userId)
    expect(queued).toBe(true)
    await until(async () => (await requestCount('/v1/t', '403')) > before)
    expect(await recordsOf(userId)).toEqual([])
    expect(problems.errors).toEqual([])
    expect(problems.consoleErrors.some((e) => /CORS|Access-Control-Allow-Origin/.test(e))).toBe(true)
  })

  it("the website owner's snippet (the standalone build, _cdn = the gateway) sends its buffered calls", async () => {
    const userId = `u-${randomUUID()}`
    const { problems } = await open(`${site.origin}/snippet#${userId}`)
    // The page's calls share its anonymousId; the snippet's page() may be sent before identify().
    const ofPage = (rs: Record<string, unknown>[]): Record<string, unknown>[] => {
      const anonymousId = rs.find((v) => v.type === 'identify' && v.userId === userId)?.anonymousId
      return anonymousId ? rs.filter((v) => v.anonymousId === anonymousId) : []
    }
    const mine = ofPage(values(await readUntil(topic, (rs) => ofPage(values(rs)).length >= 3)))
    expect(mine.map((v) => v.type).sort()).toEqual(['identify', 'page', 'track'])
    for (const event of mine) {
      expect(event.context).toMatchObject({ page: { path: '/snippet' }, library: { name: 'analytics.js' } })
    }
    expect(mine.find((v) => v.type === 'track')).toMatchObject({ event: 'Snippet Loaded', userId })
    expect(problems).toEqual({ errors: [], consoleErrors: [] })
  })

  it('sendBeacon from an allowed page (no custom header: text/plain, the write key in the body) lands', async () => {
    const { page, problems } = await open(`${site.origin}/`)
    const userId = `u-${randomUUID()}`
    expect(await beacon(page, `${gateway.url}/v1/t`, userId)).toBe(true)
    const records = await readUntil(topic, (rs) => values(rs).some((v) => v.userId === userId))
    const mine = values(records).filter((v) => v.userId === userId)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ type: 'track', event: 'Beacon' })
    expect(mine[0]).not.toHaveProperty('writeKey')
    expect(problems).toEqual({ errors: [], consoleErrors: [] })
  })
})

describe('the rate limit, as the SDK meets it', () => {
  let limited: RunningServer
  beforeAll(async () => {
    limited = await startServer({
      port: 0,
      config: gatewayConfig(
        topic,
        securedServer({ allowedOrigins: [site.origin], rateLimits: { perClient: { perSecond: 2, burst: 3 } } })
      )
    })
  })
  afterAll(() => limited?.close())

  it('answers 429 with Retry-After; the SDK waits, retries, and every event lands once', async () => {
    const { page, problems } = await open(`${site.origin}/`)
    const userId = `u-${randomUUID()}`
    // The settings and the first two events take the burst; the rest are refused until tokens come back.
    const sent = await sendEveryCall(page, WRITE_KEY, limited.url, userId)
    expect(sent).toMatchObject({ loaded: true, failed: 0 })
    const records = await landed(sent.ids)
    expect(records.map((r) => r.messageId).sort()).toEqual([...sent.ids].sort())
    const metrics = (await call(limited.url, 'GET', '/metrics')).text
    expect(metrics).toMatch(/kafka_gateway_requests_rate_limited_total\{limit="client",write_key="-"\} [1-9]/)
    expect(problems.errors).toEqual([])
    expect(problems.consoleErrors.length).toBeGreaterThan(0)
    expect(problems.consoleErrors.every((e) => /429/.test(e))).toBe(true)
  })
})

/** `navigator.sendBeacon` of one track call with the write key in the body; true when the browser queued it. */
function beacon(page: Page, url: string, userId: string): Promise<boolean> {
  return page.evaluate(
    ({ url, userId, writeKey }) => {
      const g = globalThis as unknown as { navigator: { sendBeacon(u: string, body: string): boolean } }
      return g.navigator.sendBeacon(url, JSON.stringify({ writeKey, type: 'track', event: 'Beacon', userId }))
    },
    { url, userId, writeKey: WRITE_KEY }
  )
}
