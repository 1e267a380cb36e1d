/**
 * What the gateway tests share: a config sending every call type to one topic keyed by messageId, raw
 * HTTP(S) requests with the headers a test chooses, write-key headers, and reading a topic until the
 * expected records are there.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import type { ConfigFile } from '../../src/local/config-file'
import type { ServerConfig } from '../../src/local/server-config'
import { broker, readTopic, type ReadRecord } from './kafka'

export const WRITE_KEY = 'wk-test-0123456789abcdef'
export const OTHER_WRITE_KEY = 'wk-other-fedcba9876543210'
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef0123'

export const plaintextSettings = (): ConfigFile['settings'] => ({
  brokers: broker().bootstrap.plaintext,
  mechanism: 'none',
  ssl_enabled: false
})

/** Every call type (alias included) to `topic`, whole, keyed by messageId. */
export function gatewayConfig(topic: string, server?: ServerConfig): ConfigFile {
  return {
    settings: plaintextSettings(),
    subscriptions: [
      {
        name: 'all',
        subscribe:
          'type = "track" or type = "identify" or type = "page" or type = "screen" or type = "group" or type = "alias"',
        partnerAction: 'send',
        mapping: { topic, key: { '@path': '$.messageId' }, payload: { '@path': '$.' } }
      }
    ],
    ...(server ? { server } : {})
  }
}

export const securedServer = (extra: ServerConfig = {}): ServerConfig => ({
  writeKeys: [
    { name: 'web', key: WRITE_KEY },
    { name: 'backend', key: OTHER_WRITE_KEY }
  ],
  adminToken: ADMIN_TOKEN,
  ...extra
})

export const basic = (key: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`
})
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

export interface Reply {
  status: number
  text: string
  /** The body parsed as JSON, or {} when it is not JSON. */
  body: Record<string, unknown>
  headers: http.IncomingHttpHeaders
}

export function call(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
  options: https.RequestOptions = {}
): Promise<Reply> {
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  const client = base.startsWith('https:') ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(
      `${base}${route}`,
      { method, headers: { 'content-type': 'application/json', ...headers }, ...options },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: Record<string, unknown> = {}
          try {
            parsed = JSON.parse(text) as Record<string, unknown>
          } catch {
            // not JSON (e.g. /metrics)
          }
          resolve({ status: res.statusCode ?? 0, text, body: parsed, headers: res.headers })
        })
      }
    )
    req.on('error', reject)
    req.end(data)
  })
}

/** Reads `topic` until `done(records)` holds or the time is up; returns what was read last. */
export async function readUntil(
  topic: string,
  done: (records: ReadRecord[]) => boolean,
  timeoutMs = 20000
): Promise<ReadRecord[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const records = await readTopic(topic).catch(() => [] as ReadRecord[])
    if (done(records) || Date.now() > deadline) return records
    await new Promise((r) => setTimeout(r, 300))
  }
}

export const values = (records: ReadRecord[]): Record<string, unknown>[] =>
  records.map((r) => JSON.parse(r.value ?? '{}') as Record<string, unknown>)
