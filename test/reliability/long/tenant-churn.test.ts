/**
 * Long version of tenant churn: 1,000 distinct settings x 10 rounds on the shared broker.
 */
import { closeAllProducers } from '../../../src'
import { broker, createTopic } from '../../helpers/kafka'
import { tenantChurn } from '../../helpers/tenant-churn'

afterAll(closeAllProducers)

it('1,000 tenants x 10 rounds: sockets within the cap, heap flat', async () => {
  const topic = await createTopic()
  const port = Number(broker().bootstrap.plaintext.split(':')[1])
  const f = await tenantChurn({ bootstrap: broker().bootstrap.plaintext, port, topic, tenants: 1000, rounds: 10 })
  process.stderr.write(`[reliability] tenant churn, long: ${JSON.stringify(f)}\n`)
  expect(f.failed).toBe(0)
  expect(f.maxSockets).toBeLessThanOrEqual((f.poolMax + 10) * f.socketsPerProducer)
  expect(f.evictions).toBeGreaterThanOrEqual(10000 - f.poolMax)
  expect(f.socketsAfterClose).toBe(0)
  // Rounds 2..10 against round 1 (warm-up): within 15 MB.
  expect(Math.max(...f.heapMb.slice(1)) - f.heapMb[0]).toBeLessThan(15)
})
