/**
 * The runtime path (Destination.onEvent / onBatch) with settings as a runtime may store them: only what
 * the user typed. Every default (mechanism plain, TLS on, client ID) is applied by the destination.
 */
import { Destination } from '@segment/actions-core'
import destination from '../../src/index'
import { closeAllProducers } from '../../src/producers'
import { broker, createTopic, pem, readTopic } from '../helpers/kafka'

afterAll(closeAllProducers)

it('sends through onEvent and onBatch with every defaulted setting left out', async () => {
  const topic = await createTopic()
  const b = broker()
  const alice = b.users[0]
  // SASL_SSL listener: the defaults (mechanism plain, ssl_enabled true) are exactly what it needs.
  const settings = {
    brokers: b.bootstrap.saslSsl,
    username: alice.username,
    password: alice.password,
    ssl_ca: pem('ca')
  }
  const subscription = {
    subscribe: 'type = "track"',
    partnerAction: 'send',
    mapping: { topic, payload: { '@path': '$.' }, key: { '@path': '$.userId' } }
  }
  const runtime = new Destination(destination as never)
  const event = (n: number) => ({ type: 'track', event: `e${n}`, userId: 'user-1', messageId: `m${n}` })

  const one = await runtime.onEvent(event(1) as never, { ...settings, subscription } as never)
  expect(one.at(-1)).toMatchObject({ output: 'Action Executed', data: { topic } })

  const batch = await runtime.onBatch([event(2), event(3)] as never, { ...settings, subscription } as never)
  expect(JSON.stringify(batch)).toContain('"status":200')

  const records = await readTopic(topic)
  expect(records.map((r) => JSON.parse(r.value as string).event)).toEqual(['e1', 'e2', 'e3'])
  expect(records.every((r) => r.key === 'user-1')).toBe(true)
})
