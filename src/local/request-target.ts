/**
 * The request target (`GET <target> HTTP/1.1`) as the route's path, in one linear pass that never throws:
 * origin form (`/v1/track?x`) or absolute form (`http://host/v1/track`); the query is dropped and trailing
 * slashes are trimmed (`/health/` is `/health`). A target that is not a valid path (`//[`, `%zz`, `*`,
 * `http://[/`) is refused with the reason, which the server answers as a 400.
 */

/** RFC 3986 path characters: unreserved, sub-delims, `:`, `@`, `/` and `%` (checked as `%XX` below). */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/
/** A `%` not followed by two hex digits. */
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/
/** `http://` or `https://`, then an authority of host (name, IPv4 or a bracketed IPv6) and port. */
const ABSOLUTE = /^https?:\/\/([^/?#]*)/i
const AUTHORITY = /^(?:[A-Za-z0-9\-._~%!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/

export type Target = { ok: true; path: string } | { ok: false; reason: string }

export function parseTarget(raw: string | undefined): Target {
  let target = raw ?? '/'
  const absolute = ABSOLUTE.exec(target)
  if (absolute) {
    if (!AUTHORITY.test(absolute[1])) return { ok: false, reason: 'the request target has an invalid host' }
    target = target.slice(absolute[0].length) || '/'
  }
  let end = target.length
  const query = target.indexOf('?')
  if (query >= 0) end = query
  const fragment = target.indexOf('#')
  if (fragment >= 0 && fragment < end) end = fragment
  let path = target.slice(0, end)
  if (!path.startsWith('/')) return { ok: false, reason: 'the request target must be a path starting with /' }
  if (!PATH_CHARS.test(path)) return { ok: false, reason: 'the request path holds a character not allowed in a path' }
  if (BAD_PERCENT.test(path)) return { ok: false, reason: 'the request path holds a % not followed by two hex digits' }
  // Trailing slashes, without a regular expression (`/(.)\/+$/` backtracks quadratically on many slashes).
  let last = path.length
  while (last > 1 && path.charCodeAt(last - 1) === 0x2f) last--
  if (last < path.length) path = path.slice(0, last)
  return { ok: true, path }
}
