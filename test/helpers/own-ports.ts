/**
 * Ports of the brokers a test file runs of its own. They sit just above the shared broker's and move
 * with it (KAFKA_PLAINTEXT_PORT), so runs with different ports on one machine never collide, and
 * stay below Linux's ephemeral range (32768-60999): a client socket may otherwise hold the port when
 * a killed broker restarts, and the restart fails with "Address already in use".
 */
import { layout, type BrokerPorts } from '../../scripts/broker/broker'

/** Each slot is 10 ports wide: plaintext +0, SASL +1, SSL +2, SASL_SSL +3, IAM +4, OIDC +5, controller +7. */
export const SLOTS = {
  authenticationMechanism: 1,
  brokerLifecycle: 2,
  awsIam: 3,
  sendUnknownTopic: 4,
  brokerFaults: 5,
  brokerKillLong: 6
} as const

export function ownPorts(slot: number, shared: number = layout().ports.plaintext): BrokerPorts {
  if (!Number.isInteger(slot) || slot < 1 || slot > 9) throw new Error(`own broker slot ${slot} is not 1..9`)
  const ports = layout({ ports: { plaintext: shared + 10 * slot } }).ports
  if (ports.controller >= 32768) throw new Error(`own broker ports from ${ports.plaintext} fall in the ephemeral range`)
  return ports
}
