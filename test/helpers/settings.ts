/**
 * The destination settings of each listener of a running broker, as a user types them: the shared
 * broker's unless another broker's facts are given. One place instead of a literal in every test
 * file. Each takes fields to add or to override (`undefined` clears one).
 */
import * as fs from 'node:fs'
import type { BrokerInfo } from '../../scripts/broker/broker'
import { broker } from './kafka'

/** No authentication and no TLS, to `bootstrap`: a PLAINTEXT listener (e.g. of a test's own broker), or any address a test aims at. */
export function plaintextAt<T extends object = object>(bootstrap: string, extra?: T) {
  return { brokers: bootstrap, mechanism: 'none', ssl_enabled: false, ...extra }
}

/** Every listener of the broker `b` (the shared one by default), with alice's credentials. */
export function listenersOf(b: BrokerInfo = broker()) {
  const alice = b.users[0]
  const pem = (file: keyof BrokerInfo['pki']): string => fs.readFileSync(b.pki[file], 'utf8')
  return {
    /** PLAINTEXT, no authentication. */
    plaintext: <T extends object = object>(extra?: T) => plaintextAt(b.bootstrap.plaintext, extra),
    /** SASL_PLAINTEXT with PLAIN or SCRAM. */
    sasl: <T extends object = object>(mechanism = 'plain', extra?: T) => ({
      brokers: b.bootstrap.sasl,
      mechanism,
      username: alice.username,
      password: alice.password,
      ssl_enabled: false,
      ...extra
    }),
    /** SASL_SSL with PLAIN or SCRAM, the broker's CA given. */
    saslSsl: <T extends object = object>(mechanism = 'plain', extra?: T) => ({
      brokers: b.bootstrap.saslSsl,
      mechanism,
      username: alice.username,
      password: alice.password,
      ssl_enabled: true,
      ssl_ca: pem('ca'),
      ...extra
    }),
    /** SSL with a client certificate (mutual TLS). */
    mtls: <T extends object = object>(extra?: T) => ({
      brokers: b.bootstrap.ssl,
      mechanism: 'client-cert-auth',
      ssl_ca: pem('ca'),
      ssl_cert: pem('clientCert'),
      ssl_key: pem('clientKey'),
      ...extra
    }),
    /** SASL_SSL with AWS IAM (OAUTHBEARER), the only access key the listener accepts. */
    iam: <T extends object = object>(extra?: T) => ({
      brokers: b.bootstrap.iam,
      mechanism: 'aws',
      accessKeyId: b.aws.accessKeyId,
      secretAccessKey: b.aws.secretAccessKey,
      awsRegion: b.aws.region,
      ssl_ca: pem('ca'),
      ...extra
    })
  }
}

/** The shared broker's PLAINTEXT listener: what most tests send through. */
export function plaintextSettings<T extends object = object>(extra?: T) {
  return plaintextAt(broker().bootstrap.plaintext, extra)
}
