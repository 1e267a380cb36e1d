/**
 * How a client reaches the gateway: from `server.publicUrl` when configured, else from the request (its
 * Host header and whether the server runs TLS; X-Forwarded-Host and -Proto only from trusted proxies).
 * The settings route tells browsers where to send events with it; the origin check compares with it.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { RequestError } from './http-io'
import type { ServerConfig } from './server-config'

export interface PublicBase {
  protocol: 'http' | 'https'
  /** Host and optional port, lower case. */
  host: string
  /** The path prefix under which a proxy serves the gateway, without a trailing slash ('' for none). */
  path: string
}

// A host name, IPv4 or bracketed IPv6, with an optional port: nothing else may reach the settings answer.
const HOST = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/

const first = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined

export function parsePublicUrl(url: string): PublicBase {
  const u = new URL(url)
  return {
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    host: u.host.toLowerCase(),
    path: u.pathname.replace(/\/+$/, '')
  }
}

export function publicBase(server: ServerConfig | undefined, headers: IncomingHttpHeaders, tls: boolean): PublicBase {
  if (server?.publicUrl) return parsePublicUrl(server.publicUrl)
  const trusted = (server?.trustProxy ?? 0) > 0
  const host = ((trusted && first(headers['x-forwarded-host'])) || headers.host || '').toLowerCase()
  if (!HOST.test(host)) {
    throw new RequestError(
      400,
      'INVALID_HOST',
      'the Host header is missing or not a host name; set server.publicUrl to answer without it'
    )
  }
  const proto = trusted ? first(headers['x-forwarded-proto'])?.toLowerCase() : undefined
  const protocol = proto === 'https' || proto === 'http' ? proto : tls ? 'https' : 'http'
  return { protocol, host, path: '' }
}
