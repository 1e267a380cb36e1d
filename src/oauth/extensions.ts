/**
 * SASL OAUTHBEARER extensions (RFC 7628 section 3.1) from the `oauth_extensions` setting:
 * `key=value` pairs separated by commas, e.g. Confluent Cloud's
 * `logicalCluster=lkc-abc123,identityPoolId=pool-xyz`. Keys are letters only and `auth` is reserved;
 * values are printable ASCII (spaces allowed), as Kafka's broker checks them.
 */
const KEY = /^[A-Za-z]+$/
const VALUE = /^[\x21-\x7E \t]+$/

export interface ParsedExtensions {
  extensions: Record<string, string>
  /** One line per invalid pair, naming the setting. */
  problems: string[]
}

export function parseExtensions(raw: string | undefined): ParsedExtensions {
  const extensions: Record<string, string> = {}
  const problems: string[] = []
  for (const item of (raw ?? '').split(',')) {
    const pair = item.trim()
    if (!pair) continue
    const eq = pair.indexOf('=')
    if (eq === -1) {
      problems.push(`oauth_extensions: "${pair}" is not key=value`)
      continue
    }
    const key = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    if (!KEY.test(key)) problems.push(`oauth_extensions: the key "${key}" must be letters only (A-Z, a-z)`)
    else if (key === 'auth') problems.push('oauth_extensions: the key "auth" is reserved by SASL OAUTHBEARER')
    else if (key in extensions) problems.push(`oauth_extensions: the key "${key}" is given twice`)
    else if (!value) problems.push(`oauth_extensions: "${key}" has no value`)
    else if (!VALUE.test(value))
      problems.push(
        `oauth_extensions: the value of "${key}" must be printable ASCII (no control or non-ASCII characters)`
      )
    else extensions[key] = value
  }
  return { extensions, problems }
}

/** The extensions as the SASL message carries them: `key=value` separated by ^A. */
export function encodeExtensions(extensions: Record<string, string>): string {
  return Object.entries(extensions)
    .map(([k, v]) => `${k}=${v}\x01`)
    .join('')
}
