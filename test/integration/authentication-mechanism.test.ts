/**
 * A SASL mechanism the listener does not enable. The shared broker enables every mechanism, so this
 * file runs its own broker (own folder and ports) that enables only SCRAM-SHA-512.
 */
import * as path from 'node:path'
import { InvalidAuthenticationError } from '@segment/actions-core'
import { ROOT, start, stop, type BrokerInfo, type BrokerOptions } from '../../scripts/broker/broker'
import { testConnection } from '../../src/topics'
import { ownPorts, SLOTS } from '../helpers/own-ports'
import { listenersOf } from '../helpers/settings'

const options: BrokerOptions = {
  dir: path.join(ROOT, '.kafka', 'helper-a-scram512'),
  ports: ownPorts(SLOTS.authenticationMechanism),
  overrides: { 'sasl.enabled.mechanisms': 'SCRAM-SHA-512' }
}
let info: BrokerInfo

beforeAll(async () => {
  info = (await start(options)).info
}, 120_000)
afterAll(() => stop(options), 60_000)

describe('a mechanism the listener does not enable', () => {
  const SECRET = 'alice-secret'

  it.each(['plain', 'scram-sha-256'])('%s is refused by name, as an authentication error', async (mechanism) => {
    const settings = listenersOf(info).sasl(mechanism, { password: SECRET })
    const error = await testConnection(settings).then(
      () => undefined,
      (e: unknown) => e as InvalidAuthenticationError
    )
    expect(error).toBeInstanceOf(InvalidAuthenticationError)
    expect(error).toMatchObject({ status: 401, code: 'UNSUPPORTED_SASL_MECHANISM' })
    expect(error?.message).toContain(`does not enable the SASL mechanism ${mechanism.toUpperCase()}`)
    expect(error?.message).not.toContain(SECRET)
  })

  it('the enabled one works', async () => {
    const settings = listenersOf(info).sasl('scram-sha-512', { password: SECRET })
    await expect(testConnection(settings)).resolves.toBeUndefined()
  })
})
