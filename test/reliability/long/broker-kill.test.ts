/**
 * Long version of the broker-kill scenario: 20,000 events per path, the broker SIGKILLed when a
 * third have settled and started again with its data. Figures are printed as `[reliability] ...`.
 */
import { closeAllProducers } from '../../../src'
import { brokerKillRun, expectNothingLost, type KillFigures } from '../../helpers/broker-kill'
import { FAST_RESTART, ownBroker, useOwnBroker } from '../../helpers/fault-broker'
import { SLOTS } from '../../helpers/own-ports'

const EVENTS = Number(process.env.RELIABILITY_EVENTS ?? 20000)
const b = ownBroker('kill-long', SLOTS.brokerKillLong, FAST_RESTART)

useOwnBroker(b, closeAllProducers)

const check = (f: KillFigures): void => expectNothingLost('broker kill, long', f)

it(`per-event path: ${EVENTS} events, 50 in flight, broker killed and restarted`, async () => {
  check(await brokerKillRun(b, { path: 'event', events: EVENTS, concurrency: 50, afterEvents: 500 }))
})

it(`batch path: ${EVENTS} events in batches of 200, 4 in flight, broker killed and restarted`, async () => {
  check(await brokerKillRun(b, { path: 'batch', events: EVENTS, concurrency: 4, batchSize: 200, afterEvents: 500 }))
})

it('a second crash with no pause before the restart: per-event path recovers again', async () => {
  check(await brokerKillRun(b, { path: 'event', events: EVENTS / 4, concurrency: 50, killAt: 0.05, downMs: 0 }))
})
