/**
 * A kafkajs producer on the broker's OIDC listener, authenticated by this package's OAUTHBEARER
 * mechanism (src/oauth) with one of the identity provider's test clients. Counts the TCP connections it
 * opens, so tests can tell a re-authentication on an open connection from a reconnection.
 */
import * as fs from 'node:fs'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { CONNECTION_TIMEOUT_MS, socketFactory } from '../../src/kafka/client-config'
import { oauthBearerSasl } from '../../src/kafka/oauth-bearer'
import type { OAuthClient } from '../../src/oauth/token-endpoint'
import { sharedTokenSource } from '../../src/oauth/token-source'
import { broker } from './kafka'
import { client, oidc } from './oidc'

export interface OidcProducer {
  producer: Producer
  /** TCP connections opened so far. */
  connections(): number
}

export function oauthClient(
  kind: Parameters<typeof client>[0] = 'access',
  extra: Partial<OAuthClient> = {}
): OAuthClient {
  const c = client(kind)
  return {
    tokenEndpoint: oidc().tokenEndpoint,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    clientAuth: 'basic',
    ...extra
  }
}

export function oidcProducer(c: OAuthClient, extensions: Record<string, string> = {}, retries = 0): OidcProducer {
  let opened = 0
  const kafka = new Kafka({
    clientId: 'oidc-test',
    brokers: [oidc().bootstrap],
    ssl: { ca: fs.readFileSync(broker().pki.ca, 'utf8') },
    sasl: oauthBearerSasl({
      source: sharedTokenSource(c),
      extensions,
      clientId: c.clientId,
      tokenEndpoint: c.tokenEndpoint
    }),
    socketFactory: (args) => {
      opened++
      return socketFactory(args)
    },
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    retry: { retries },
    logLevel: logLevel.NOTHING
  })
  return { producer: kafka.producer(), connections: () => opened }
}
