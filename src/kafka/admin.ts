/**
 * The admin calls: list the cluster's topics (the connection test and the topic list), within a time
 * limit, with every admin client and socket closed when done, whatever happens.
 */
import type { Socket } from 'node:net'
import { Kafka, type Admin, type ISocketFactory } from 'kafkajs'
import { formatBrokers } from '../brokers'
import { ownError } from '../errors'
import type { ConnectionSettings } from '../settings'
import { guarded } from './certificate-guard'
import { kafkaConfig, reportedBroker, socketFactory as baseSocketFactory } from './client-config'
import { diagnoseProtocolMismatch } from './diagnose'
import { brokerOfError, rowFor, toActionError, type RowId } from './errors'

/** The connection test and a topic listing give up after this long. */
export const CONNECTION_TEST_TIMEOUT_MS = 10_000
const DISCONNECT_WAIT_MS = 500

/** Rows of the error table after which a probe may tell TLS and plaintext apart (see diagnose.ts). */
const PROTOCOL_SUSPECTS = new Set<RowId>(['tls-to-plaintext-port', 'connection-closed'])

/** Connects an admin client, lists the topics, disconnects. Throws mapped (actions-core) errors. */
export function fetchTopics(c: ConnectionSettings, timeoutMs = CONNECTION_TEST_TIMEOUT_MS): Promise<string[]> {
  return withAdmin(c, (admin) => admin.listTopics(), timeoutMs)
}

/**
 * Connects an admin client, runs `work` with it, disconnects, all within `timeoutMs`. Throws mapped
 * (actions-core) errors. For this folder only: kafkajs's Admin does not leave src/kafka/.
 */
export async function withAdmin<T>(
  c: ConnectionSettings,
  work: (admin: Admin) => Promise<T>,
  timeoutMs = CONNECTION_TEST_TIMEOUT_MS
): Promise<T> {
  const config = kafkaConfig(c)
  // One attempt per bootstrap broker (kafkajs moves to the next one on retry), quickly.
  const retry = { retries: Math.min(c.brokers.length, 3), initialRetryTime: 100, maxRetryTime: 1000 }
  // Sockets are tracked so that none outlives the call, even one stuck on a request never answered.
  const sockets = new Set<Socket>()
  const socketFactory: ISocketFactory = (args) => {
    const socket = baseSocketFactory(args)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    return socket
  }
  // A certificate that does not verify ends the call at once (see certificate-guard.ts).
  const { config: guardedConfig, guard } = guarded({ ...config, socketFactory })
  const admin = new Kafka({ ...guardedConfig, retry }).admin()
  let timer: NodeJS.Timeout | undefined
  // The whole call, the closing wait included, stays within timeoutMs.
  const deadline = Date.now() + timeoutMs - DISCONNECT_WAIT_MS
  const running = admin.connect().then(() => work(admin))
  running.catch(() => undefined) // it may settle after the timeout; its outcome is then ignored
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            ownError(
              'CONNECTION_TIMEOUT',
              `No answer from brokers ${formatBrokers(c.brokers)} within ${timeoutMs / 1000} s.`
            )
          ),
        deadline - Date.now()
      )
    })
    return await Promise.race([running, timeout])
  } catch (error) {
    throw await explain(guard.explain(error), c, deadline - Date.now())
  } finally {
    clearTimeout(timer)
    await disconnect(admin)
    for (const socket of sockets) socket.destroy()
  }
}

/**
 * kafkajs's disconnect waits for requests in flight, which after a timeout may never be answered:
 * wait for it briefly, and let it finish on its own after that.
 */
async function disconnect(admin: Admin): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const done = admin.disconnect().catch(() => undefined)
  await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, DISCONNECT_WAIT_MS)))])
  clearTimeout(timer)
}

/**
 * Maps the error, and confirms a protocol mismatch (TLS vs plaintext) with a probe when one is
 * suspected and `budgetMs` leaves time for it (the probe's answer is not waited for past it).
 */
async function explain(error: unknown, c: ConnectionSettings, budgetMs: number): Promise<Error> {
  const mapped = toActionError(error, { settings: c })
  if (!PROTOCOL_SUSPECTS.has(rowFor(error).id as RowId) || budgetMs <= 0) return mapped
  const reported = brokerOfError(error)
  const broker = (reported && reportedBroker(reported)) || c.brokers[0]
  let timer: NodeJS.Timeout | undefined
  const outOfTime = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), budgetMs)
  })
  try {
    return (await Promise.race([diagnoseProtocolMismatch(broker, c), outOfTime])) ?? mapped
  } finally {
    clearTimeout(timer)
  }
}
