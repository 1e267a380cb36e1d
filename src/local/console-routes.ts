/**
 * The console's files: `GET /console` (the page) and `GET /console/<file>` (its ES modules and
 * stylesheet), read once at start from the package's `console/` folder; nothing comes from elsewhere.
 * Open to anyone (they hold no data: every page asks the admin routes, with the admin token); a strict
 * Content-Security-Policy allows nothing but the gateway itself.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Routes } from './route'

/** The package's `console/` folder (from src/local/ and dist/local/ alike). */
export const CONSOLE_DIR = path.join(__dirname, '..', '..', 'console')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml'
}

const HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache'
}

/** Every file of the console folder, by its URL path under /console. */
export function consoleFiles(dir = CONSOLE_DIR): Map<string, { type: string; body: string }> {
  const files = new Map<string, { type: string; body: string }>()
  const visit = (at: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, at), { withFileTypes: true })) {
      const rel = path.posix.join(at, entry.name)
      if (entry.isDirectory()) visit(rel)
      else if (TYPES[path.extname(entry.name)])
        files.set(rel, { type: TYPES[path.extname(entry.name)], body: fs.readFileSync(path.join(dir, rel), 'utf8') })
    }
  }
  if (fs.existsSync(dir)) visit('')
  return files
}

export function consoleRoutes(routes: Routes, dir = CONSOLE_DIR): void {
  for (const [file, { type, body }] of consoleFiles(dir)) {
    const route = file === 'index.html' ? '/console' : `/console/${file}`
    routes.set(route, {
      method: 'GET',
      access: 'open',
      emptyBodyOk: true,
      handler: async () => ({ status: 200, body, contentType: type, headers: HEADERS })
    })
  }
}
