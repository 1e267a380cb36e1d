/**
 * JSON over HTTP(S) to a schema registry: basic auth, an optional CA added to Node's public ones, a
 * kept-alive agent per registry and a timeout per request. Node's http module rather than fetch: fetch
 * in Node 20 cannot be given a CA without an extra dependency.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import { rootCertificates } from 'node:tls'

export interface RegistryEndpoint {
  /** Base URL of the Confluent-compatible API, without credentials and without a trailing slash. */
  url: string
  username?: string
  password?: string
  /** PEM of the CA(s) that issued the registry's certificate, added to Node's public CAs. */
  ca?: string
}

export interface HttpAnswer {
  status: number
  body: unknown
}

/** The failure of a request that got no HTTP answer (refused, reset, timed out, TLS). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message)
  }
}

export const REQUEST_TIMEOUT_MS = 10_000
const MAX_BODY_BYTES = 16 * 1024 * 1024

export class RegistryHttp {
  private readonly agent: http.Agent
  private readonly base: URL
  private readonly authorization?: string

  constructor(readonly endpoint: RegistryEndpoint) {
    this.base = new URL(endpoint.url)
    const secure = this.base.protocol === 'https:'
    this.agent = secure
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 8,
          ca: endpoint.ca ? [...rootCertificates, endpoint.ca] : undefined
        })
      : new http.Agent({ keepAlive: true, maxSockets: 8 })
    if (endpoint.username !== undefined || endpoint.password !== undefined)
      this.authorization = `Basic ${Buffer.from(`${endpoint.username ?? ''}:${endpoint.password ?? ''}`).toString('base64')}`
  }

  /** `path` is relative to the base URL (e.g. `/subjects`). Resolves with any HTTP status. */
  request(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<HttpAnswer> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base)
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const headers: http.OutgoingHttpHeaders = { accept: 'application/vnd.schemaregistry.v1+json, application/json' }
    if (payload) {
      headers['content-type'] = 'application/vnd.schemaregistry.v1+json'
      headers['content-length'] = payload.length
    }
    if (this.authorization) headers.authorization = this.authorization
    const send = url.protocol === 'https:' ? https.request : http.request
    return new Promise((resolve, reject) => {
      const request = send(url, { method, headers, agent: this.agent, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_BODY_BYTES) request.destroy(new TransportError('the answer is too large', 'EFBIG'))
          else chunks.push(chunk)
        })
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = text
          try {
            parsed = text === '' ? undefined : JSON.parse(text)
          } catch {
            // not JSON (an HTML error page of a proxy): keep the text
          }
          resolve({ status: response.statusCode ?? 0, body: parsed })
        })
        response.on('error', (error) => reject(transportError(error)))
      })
      request.on('timeout', () =>
        request.destroy(new TransportError(`no answer within ${timeoutMs / 1000} s`, 'ETIMEDOUT'))
      )
      request.on('error', (error) => reject(transportError(error)))
      request.end(payload)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

function transportError(error: Error): TransportError {
  if (error instanceof TransportError) return error
  const code = (error as { code?: unknown }).code
  return new TransportError(error.message, typeof code === 'string' ? code : 'ERR_REQUEST')
}
