/**
 * The HTTP plumbing of the local server: reading a JSON body under a size limit, checking it against a
 * compiled ajv schema with messages that name the field, and writing JSON answers and error answers.
 */
import type * as http from 'node:http'
import * as zlib from 'node:zlib'
import type { ErrorObject, ValidateFunction } from 'ajv'
import type { JSONObject } from '@segment/actions-core'
import { failedResult } from './results'

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

/** `/payload/0/type` -> `payload[0].type`; `/1/type` -> `body[1].type`; the root is `body`. */
export function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1)
  if (extra) parts.push(extra)
  if (parts.length === 0 || /^\d+$/.test(parts[0])) parts.unshift('body')
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  // `if` only says that a `then` failed; the `then` error itself names the field.
  const named = (errors ?? []).filter((e) => e.keyword !== 'if')
  const lines = named.slice(0, 5).map((e) => {
    switch (e.keyword) {
      case 'required':
        return `${fieldName(e.instancePath, String(e.params.missingProperty))} is required`
      case 'additionalProperties':
        return `${fieldName(e.instancePath, String(e.params.additionalProperty))} is not a known field`
      case 'type':
        return `${fieldName(e.instancePath)} must be ${String(e.params.type).split(',').join(' or ')}`
      default:
        return `${fieldName(e.instancePath)} ${e.message ?? 'is invalid'}`
    }
  })
  return lines.join('; ')
}

export function check<T>(validate: ValidateFunction, body: unknown): T {
  if (!validate(body))
    throw new RequestError(400, 'INVALID_REQUEST', `invalid request: ${describeErrors(validate.errors)}`)
  return body as T
}

export function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  if (res.headersSent) return
  const text = JSON.stringify(body, null, 2) + '\n'
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(text)
}

interface FieldError {
  path?: string
  message?: string
}

/** A destination error as a response: its status (500 if none), code, message and, for schema errors, fields. */
export function errorResponse(error: unknown): { status: number; body: JSONObject } {
  const d = failedResult(error)
  const body: JSONObject = { ok: false, error: { status: d.status, message: d.message ?? 'failed' } }
  const e = body.error as JSONObject
  if (d.code) e.code = d.code
  const errorObject = error as { name?: string; [Symbol.iterator]?: () => Iterator<FieldError> }
  if (errorObject?.name === 'AggregateAjvError' && typeof errorObject[Symbol.iterator] === 'function') {
    const fields: JSONObject = {}
    for (const f of errorObject as Iterable<FieldError>)
      fields[(f.path ?? '').replace(/^\$\.?/, '') || 'body'] = f.message ?? ''
    e.fields = fields
  }
  return { status: d.status, body }
}

/**
 * The body's media type must be JSON (or none given: curl, old clients); `text/plain` holding JSON too
 * where `textPlain` (the browser routes: the browser SDK and sendBeacon send it to avoid a preflight). A
 * route that takes no text/plain cannot be posted to by another site's page without a CORS preflight.
 */
export function checkContentType(contentType: string | undefined, textPlain: boolean): void {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (type === '' || type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return
  if (textPlain && type === 'text/plain') return
  const accepted = textPlain ? 'application/json or text/plain holding JSON' : 'application/json'
  throw new RequestError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `content-type ${JSON.stringify(type.slice(0, 100))} is not accepted here; send ${accepted}`
  )
}

/**
 * Reads a JSON body (gzip-encoded too, as Segment's API takes it); `maxBytes` bounds the decoded size;
 * `textPlain` accepts a `text/plain` body holding JSON.
 */
export function readBody(req: http.IncomingMessage, maxBytes: number, textPlain = false): Promise<unknown> {
  try {
    checkContentType(req.headers['content-type'], textPlain)
  } catch (error) {
    return Promise.reject(error)
  }
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes))
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase()
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return Promise.reject(
      new RequestError(415, 'UNSUPPORTED_ENCODING', `content-encoding ${encoding} is not supported (gzip is)`)
    )
  }
  const source: NodeJS.ReadableStream = encoding === 'gzip' ? req.pipe(zlib.createGunzip()) : req
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    if (source !== req) req.on('error', (error) => source.emit('error', error))
    source.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > maxBytes) {
        failed = true
        chunks.length = 0
        reject(tooLarge(maxBytes))
        return
      }
      chunks.push(chunk)
    })
    source.on('error', (error: Error) => {
      if (!failed) reject(new RequestError(400, 'BAD_REQUEST', `could not read the request body: ${error.message}`))
      failed = true
    })
    source.on('end', () => {
      if (failed) return
      const text = Buffer.concat(chunks).toString('utf8')
      if (!text.trim()) return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch (error) {
        reject(new RequestError(400, 'INVALID_JSON', `the request body is not valid JSON: ${(error as Error).message}`))
      }
    })
  })
}

function tooLarge(maxBytes: number): RequestError {
  return new RequestError(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than the limit of ${maxBytes} bytes`, {
    connection: 'close'
  })
}
