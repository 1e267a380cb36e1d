/**
 * The test broker's throwaway PKI, made with openssl: CAs, the broker's certificate and keystore, and
 * client certificates in the key forms users paste.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

export type PkiFile =
  | 'ca'
  | 'clientCert'
  | 'clientKey'
  | 'clientKeyPkcs1'
  | 'clientChainCert'
  | 'clientChainKey'
  | 'clientEcCert'
  | 'clientEcKey'
  | 'otherCa'
  | 'otherCaKey'

export const PKI_FILES: Record<PkiFile, string> = {
  ca: 'ca.crt',
  clientCert: 'client.crt',
  clientKey: 'client.key',
  clientKeyPkcs1: 'client-rsa.key',
  clientChainCert: 'client-chain.crt',
  clientChainKey: 'client-chain.key',
  clientEcCert: 'client-ec.crt',
  clientEcKey: 'client-ec.key',
  otherCa: 'other-ca.crt',
  otherCaKey: 'other-ca.key'
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

/** X.509 extensions of the test certificates, by role (written next to them as `<name>.ext`). */
export const CERT_EXTENSIONS = {
  intermediate: 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
  server: (san: string) =>
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`,
  client: 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
}

/** A self-signed CA `<dir>/<name>.crt` + `.key`. */
export function createCa(dir: string, name: string, commonName: string): void {
  const ext = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']
  const out = ['-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '3650', '-subj', `/CN=${commonName}`]
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', ...out, ...ext])
}

/**
 * A key and a certificate `<dir>/<name>.key|.crt` for `subject`, issued by the CA `<dir>/<issuer>`,
 * with the given extensions; `keyArgs` picks the key type (RSA 2048 by default).
 */
export function issueCertificate(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  issuer = 'ca',
  keyArgs = ['-newkey', 'rsa:2048']
): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions)
  openssl(dir, ['req', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject])
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.crt`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '3650',
    '-sha256',
    '-extfile',
    `${name}.ext`
  ])
}

/**
 * A throwaway PKI: a CA, the broker's certificate (localhost / 127.0.0.1), client certificates as
 * PKCS#8, PKCS#1 (RSA) and SEC1 (EC) keys, a client certificate issued by an intermediate CA (sent as
 * a chain), and an unrelated CA for negative tests. Created once per broker folder.
 */
export function ensurePki(dir: string): void {
  if (fs.existsSync(path.join(dir, 'server-keystore.pem'))) return
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  const d = dir
  const write = (name: string, text: string): void => fs.writeFileSync(path.join(d, name), text)
  createCa(d, 'ca', 'kafka-test-ca')
  createCa(d, 'other-ca', 'some-other-ca')
  const issue = (name: string, subject: string, ext: string, ca = 'ca', keyArgs?: string[]): void =>
    issueCertificate(d, name, subject, ext, ca, keyArgs)
  issue('server', '/CN=localhost', CERT_EXTENSIONS.server('DNS:localhost,IP:127.0.0.1'))
  issue('client', '/CN=test-client', CERT_EXTENSIONS.client)
  issue('int-ca', '/CN=kafka-test-intermediate-ca', CERT_EXTENSIONS.intermediate)
  issue('client-chain-leaf', '/CN=test-client-chained', CERT_EXTENSIONS.client, 'int-ca')
  issue('client-ec', '/CN=test-client-ec', CERT_EXTENSIONS.client, 'ca', [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1'
  ])
  // Key forms users paste: PKCS#1 ("BEGIN RSA PRIVATE KEY") and SEC1 ("BEGIN EC PRIVATE KEY").
  openssl(d, ['rsa', '-in', 'client.key', '-traditional', '-out', 'client-rsa.key'])
  openssl(d, ['ec', '-in', 'client-ec.key', '-out', 'client-ec.sec1.key'])
  fs.renameSync(path.join(d, 'client-ec.sec1.key'), path.join(d, 'client-ec.key'))
  const read = (name: string): string => fs.readFileSync(path.join(d, name), 'utf8')
  write('client-chain.crt', read('client-chain-leaf.crt') + read('int-ca.crt'))
  fs.copyFileSync(path.join(d, 'client-chain-leaf.key'), path.join(d, 'client-chain.key'))
  // Kafka's PEM keystore: the PKCS#8 key followed by the certificate chain, in one file.
  write('server-keystore.pem', read('server.key') + read('server.crt') + read('ca.crt'))
}
