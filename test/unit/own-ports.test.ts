import { layout } from '../../scripts/broker/broker'
import { ownPorts, SLOTS } from '../helpers/own-ports'

describe('ports of a test’s own brokers', () => {
  it('sit in slots of 10 just above the shared broker, and move with it', () => {
    expect(ownPorts(1, 19092)).toEqual({
      plaintext: 19102,
      sasl: 19103,
      ssl: 19104,
      saslSsl: 19105,
      iam: 19106,
      oidc: 19107,
      controller: 19109
    })
    expect(ownPorts(SLOTS.brokerKillLong, 22092).plaintext).toBe(22152)
  })

  it('no two slots share a port, nor any slot with the shared broker', () => {
    const shared = Object.values(layout({ ports: { plaintext: 19092 } }).ports)
    const all = [shared, ...Object.values(SLOTS).map((slot) => Object.values(ownPorts(slot, 19092)))].flat()
    expect(new Set(all).size).toBe(all.length)
  })

  it('refuses a slot out of range and ports in the ephemeral range', () => {
    expect(() => ownPorts(0)).toThrow(/slot 0/)
    expect(() => ownPorts(1, 32760)).toThrow(/ephemeral/)
  })
})
