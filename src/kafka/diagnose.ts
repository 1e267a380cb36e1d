/**
 * Confirms the two diagnoses a Kafka client cannot make from the error alone: a TLS client talking to
 * a plaintext port (the broker just resets the handshake) and a plaintext client talking to a TLS
 * port (the broker just closes the connection). Used by the connection test only, never on the send
 * path: it opens one extra short connection to the broker that failed.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import { formatBroker, type BrokerAddress } from '../brokers'
import { ownError } from '../errors'
import type { ConnectionSettings } from '../settings'

const PROBE_TIMEOUT_MS = 2000

/** Resolves true when the port completes (or starts) a TLS handshake, with no verification. */
export function speaksTls(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ...(net.isIP(host) ? {} : { servername: host })
    })
    const done = (answer: boolean): void => {
      socket.destroy()
      resolve(answer)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('secureConnect', () => done(true))
    // A TLS alert (e.g. "certificate required") also proves a TLS server; a reset or a non-TLS reply does not.
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(/^ERR_SSL_/.test(e.code ?? '') && !/WRONG_VERSION_NUMBER|PACKET_LENGTH/.test(e.code ?? ''))
    )
  })
}

/** Resolves true when the port answers a plaintext Kafka ApiVersions (v0) request. */
export function speaksPlaintextKafka(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const correlationId = 0x4b414641
    const clientId = Buffer.from('probe')
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length)
    body.writeInt16BE(18, 0) // ApiVersions
    body.writeInt16BE(0, 2)
    body.writeInt32BE(correlationId, 4)
    body.writeInt16BE(clientId.length, 8)
    clientId.copy(body, 10)
    const size = Buffer.alloc(4)
    size.writeInt32BE(body.length)
    const socket = net.connect({ host, port }, () => socket.write(Buffer.concat([size, body])))
    let received = Buffer.alloc(0)
    const done = (answer: boolean): void => {
      socket.destroy()
      resolve(answer)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (received.length >= 8) done(received.readInt32BE(4) === correlationId)
    })
    socket.once('error', () => done(false))
    socket.once('close', () => done(false))
  })
}

/**
 * Given the broker a connection failed on, returns a definite 400 when the port speaks the other
 * protocol than the settings say, else undefined (the original error stands).
 */
export async function diagnoseProtocolMismatch(
  broker: BrokerAddress,
  settings: ConnectionSettings
): Promise<Error | undefined> {
  const { host, port } = broker
  const name = formatBroker(broker)
  if (!settings.ssl.enabled && (await speaksTls(host, port)))
    return ownError(
      'TLS_REQUIRED',
      `The broker at ${name} expects TLS but ssl_enabled is off: turn ssl_enabled on (or use the broker's plaintext port).`
    )
  if (!settings.ssl.enabled && settings.mechanism === 'none' && (await speaksPlaintextKafka(host, port)))
    // It answers Kafka requests in plaintext yet closed the connection on the first real one: the
    // listener wants SASL authentication first.
    return ownError(
      'SASL_REQUIRED',
      `The broker at ${name} requires SASL authentication: choose the mechanism it uses (plain, scram-sha-256, scram-sha-512) and give the credentials.`
    )
  if (settings.ssl.enabled && (await speaksPlaintextKafka(host, port)))
    return ownError(
      'TLS_NOT_SUPPORTED',
      `The broker at ${name} speaks plaintext, not TLS: turn ssl_enabled off for this port, or use the broker's TLS port.`
    )
  return undefined
}
