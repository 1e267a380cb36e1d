/**
 * Tests in a real browser: Debian's headless Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH) driven by
 * playwright-core, which never downloads a browser of its own; a page's JavaScript errors and console
 * errors collected; and a small static web server, so that a page comes from an origin of its own
 * (another port on 127.0.0.1 is another origin), with Segment's browser SDK bundle served from
 * node_modules (no CDN).
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Without the background-networking flags Chromium's own connections (updates, sync, QUIC probes) are
 * refused by a closed network and slow the start; `--no-sandbox` because tests may run as root.
 * playwright-core adds `--headless` and a new empty `--user-data-dir` of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** Starts headless Chromium; close it in `afterAll` (closing waits for the process to exit). */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH`)
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 })
}

export interface PageProblems {
  /** Uncaught exceptions and unhandled rejections in the page. */
  errors: string[]
  /** `console.error` lines, including the browser's own (failed loads, CORS refusals). */
  consoleErrors: string[]
}

/** Collects what goes wrong in `page` from now on. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [], consoleErrors: [] }
  page.on('pageerror', (error) => problems.errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text())
  })
  return problems
}

export const SDK_DIR = path.join(__dirname, '..', '..', 'node_modules', '@segment', 'analytics-next', 'dist', 'umd')

export interface StaticSite {
  /** `http://127.0.0.1:<port>`: the page's origin. */
  origin: string
  close(): Promise<void>
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json'
}

/**
 * Serves `pages` (path -> HTML) and, under `/sdk/`, the files of the browser SDK's UMD folder (its
 * `index.js` loads chunks from the same folder), on 127.0.0.1 and a free port.
 */
export async function serveSite(pages: Record<string, string>): Promise<StaticSite> {
  const sdkFiles = new Set(fs.readdirSync(SDK_DIR))
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site')
    const page = pages[url.pathname]
    if (page !== undefined) return void res.writeHead(200, { 'content-type': TYPES['.html'] }).end(page)
    const name = url.pathname.startsWith('/sdk/') ? url.pathname.slice(5) : ''
    if (!sdkFiles.has(name)) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream' })
    fs.createReadStream(path.join(SDK_DIR, name)).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
