/**
 * The three-node cluster's suites. They share its nodes, and the fault scenarios stop, kill and pause
 * them, so they run in this one file, one after the other, while the other files run on other workers.
 * Each suite is loaded inside its own describe, so its hooks (a beforeAll that starts stopping nodes)
 * run only around its own tests.
 */
describe('cluster: smoke', () => {
  require('./smoke.suite')
})
describe('cluster: faults', () => {
  require('./faults.suite')
})
describe('cluster: idempotent delivery', () => {
  require('./idempotent-delivery.suite')
})
describe('cluster: gateway, SDK retries', () => {
  require('./gateway-retry.suite')
})
