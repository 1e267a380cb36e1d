/**
 * PEM input as users paste it: the full PEM, or only its body (the Segment docs tell users to strip
 * the BEGIN/END lines), possibly with the newlines lost or written as `\n`, and chains. Everything is
 * turned back into well-formed PEM, checked with node:crypto, and a bad input is a 400 naming the field.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { PemError } from './errors'

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
const MARKER = /-----(BEGIN|END) [A-Z0-9 ]+-----/

function wrap(label: string, base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** Body text -> base64 without whitespace, or undefined when it is not base64. */
function cleanBase64(body: string): string | undefined {
  const b64 = body.replace(/\s+/g, '')
  return b64 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? b64 : undefined
}

/** `\n` typed as two characters (JSON-escaped input) becomes a newline. */
const unescape = (text: string): string => text.replace(/\\r\\n|\\n|\\r/g, '\n').trim()

/** Splits a DER buffer holding one or more concatenated top-level ASN.1 SEQUENCEs. */
function splitDer(der: Buffer): Buffer[] {
  const parts: Buffer[] = []
  let offset = 0
  while (offset < der.length) {
    if (der[offset] !== 0x30 || offset + 2 > der.length) return []
    let length = der[offset + 1]
    let header = 2
    if (length & 0x80) {
      const bytes = length & 0x7f
      if (bytes < 1 || bytes > 4 || offset + 2 + bytes > der.length) return []
      length = 0
      for (let i = 0; i < bytes; i++) length = length * 256 + der[offset + 2 + i]
      header += bytes
    }
    const end = offset + header + length
    if (end > der.length) return []
    parts.push(der.subarray(offset, end))
    offset = end
  }
  return parts
}

/**
 * Certificates (a CA bundle or a client certificate chain) -> one PEM block per certificate.
 * Accepts full PEM, a bare body, several bodies, and a chain whose first BEGIN and last END lines
 * were stripped (what following "exclude the first and last lines" does to a chain file).
 */
export function normaliseCertificates(input: string, field: string): string[] {
  let text = unescape(input)
  if (MARKER.test(text)) {
    if (!/^-----BEGIN /.test(text)) text = `-----BEGIN CERTIFICATE-----\n${text}`
    if (!/-----END [A-Z0-9 ]+-----$/.test(text)) text = `${text}\n-----END CERTIFICATE-----`
  } else {
    const b64 = cleanBase64(text)
    const ders = b64 ? splitDer(Buffer.from(b64, 'base64')) : []
    if (!ders.length) throw new PemError(field, 'is not a PEM certificate (neither PEM nor a base64 body)')
    text = ders.map((der) => wrap('CERTIFICATE', der.toString('base64'))).join('')
  }
  const blocks: string[] = []
  for (const [, label, body] of text.matchAll(BLOCK)) {
    const b64 = cleanBase64(body)
    if (label !== 'CERTIFICATE' && label !== 'TRUSTED CERTIFICATE')
      throw new PemError(field, `contains a "${label}" block where a certificate was expected`)
    if (!b64) throw new PemError(field, 'contains a certificate whose body is not base64')
    const pem = wrap('CERTIFICATE', b64)
    try {
      new X509Certificate(pem)
    } catch {
      throw new PemError(field, `contains a certificate that cannot be parsed (certificate ${blocks.length + 1})`)
    }
    blocks.push(pem)
  }
  if (!blocks.length) throw new PemError(field, 'contains no certificate')
  return blocks
}

const KEY_FORMATS: { type: 'pkcs8' | 'pkcs1' | 'sec1'; label: string }[] = [
  { type: 'pkcs8', label: 'PRIVATE KEY' },
  { type: 'pkcs1', label: 'RSA PRIVATE KEY' },
  { type: 'sec1', label: 'EC PRIVATE KEY' }
]

/**
 * A private key -> PEM with the label matching its encoding (PKCS#8, PKCS#1 or SEC1). A bare body is
 * recognised by decoding it in each format. Messages never contain any part of the key.
 */
export function normalisePrivateKey(input: string, field: string): string {
  const text = unescape(input)
  if (/ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(text))
    throw new PemError(field, 'is an encrypted private key: provide it unencrypted')
  if (MARKER.test(text)) {
    const match = [...text.matchAll(BLOCK)].find(([, label]) => label.endsWith('PRIVATE KEY'))
    const b64 = match && cleanBase64(match[2])
    if (!match || !b64) throw new PemError(field, 'contains no readable PEM private key block')
    const pem = wrap(match[1], b64)
    if (!tryKey(() => createPrivateKey(pem))) throw new PemError(field, 'is not a valid private key')
    return pem
  }
  const b64 = cleanBase64(text)
  if (!b64) throw new PemError(field, 'is not a PEM private key (neither PEM nor a base64 body)')
  const der = Buffer.from(b64, 'base64')
  for (const { type, label } of KEY_FORMATS) {
    if (tryKey(() => createPrivateKey({ key: der, format: 'der', type }))) return wrap(label, b64)
  }
  throw new PemError(field, 'is not a private key in PKCS#8, PKCS#1 (RSA) or SEC1 (EC) form')
}

function tryKey(make: () => KeyObject): boolean {
  try {
    make()
    return true
  } catch {
    return false
  }
}

/**
 * Whether `key` is the private key of the first certificate of `cert` (both well-formed PEM).
 * X509Certificate#checkPrivateKey, not createSecureContext: OpenSSL keeps keys of another type (an EC
 * key with an RSA certificate) in a separate slot without complaint.
 */
export function checkKeyMatchesCert(cert: string, key: string): boolean {
  try {
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))
  } catch {
    return false
  }
}
