/**
 * Broker certificates that must fail verification, made with openssl for a broker of a test's own:
 * one issued by a CA the client does not trust (correct host names), one issued by the trusted CA
 * for another host name only (`DNS:wrong.example`). Written once to `<dir>/pki-negative/`, as PEM
 * keystores (key + chain) the harness `overrides` can point a listener at.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { CERT_EXTENSIONS, createCa, issueCertificate } from '../../scripts/broker/broker'

export interface NegativePki {
  /** The CA clients are given as ssl_ca; it signed the wrong-name certificate. */
  trustedCa: string
  /** Keystore whose certificate (SAN localhost, 127.0.0.1) is issued by an unrelated CA. */
  otherCaKeystore: string
  /** Keystore whose certificate is issued by trustedCa for DNS:wrong.example only. */
  wrongNameKeystore: string
}

export function negativePki(dir: string): NegativePki {
  const d = path.join(dir, 'pki-negative')
  const files: NegativePki = {
    trustedCa: path.join(d, 'trusted-ca.crt'),
    otherCaKeystore: path.join(d, 'other-ca-keystore.pem'),
    wrongNameKeystore: path.join(d, 'wrong-name-keystore.pem')
  }
  if (Object.values(files).every((f) => fs.existsSync(f))) return files
  fs.rmSync(d, { recursive: true, force: true })
  fs.mkdirSync(d, { recursive: true })
  const read = (f: string): string => fs.readFileSync(path.join(d, f), 'utf8')
  const server = (name: string, issuer: string, san: string): void => {
    issueCertificate(d, name, '/CN=broker', CERT_EXTENSIONS.server(san), issuer)
    fs.writeFileSync(
      path.join(d, `${name}-keystore.pem`),
      read(`${name}.key`) + read(`${name}.crt`) + read(`${issuer}.crt`)
    )
  }
  createCa(d, 'trusted-ca', 'reliability-trusted-ca')
  createCa(d, 'unrelated-ca', 'reliability-unrelated-ca')
  server('other-ca', 'unrelated-ca', 'DNS:localhost,IP:127.0.0.1')
  server('wrong-name', 'trusted-ca', 'DNS:wrong.example')
  return files
}

/** Harness overrides: the SSL listener presents the other-CA certificate (no client certificate
 * asked), the SASL_SSL listener the wrong-name one. */
export function negativeTlsOverrides(pki: NegativePki): Record<string, string> {
  return {
    'listener.name.ssl.ssl.keystore.type': 'PEM',
    'listener.name.ssl.ssl.keystore.location': pki.otherCaKeystore,
    'listener.name.ssl.ssl.client.auth': 'none',
    'listener.name.sasl_ssl.ssl.keystore.type': 'PEM',
    'listener.name.sasl_ssl.ssl.keystore.location': pki.wrongNameKeystore
  }
}
