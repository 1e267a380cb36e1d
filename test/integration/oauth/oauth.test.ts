/**
 * The OAuth / OIDC suites against the project's identity provider. The last one stops and restarts the
 * provider, which every other suite here needs, so they run in this one file, one after the other.
 * Each suite is loaded inside its own describe, so its hooks run only around its own tests.
 */
describe('oauth: token endpoint', () => {
  require('./token-endpoint.suite')
})
describe('oauth: listener', () => {
  require('./listener.suite')
})
describe('oauth: destination', () => {
  require('./destination.suite')
})
describe('oauth: re-authentication', () => {
  require('./reauthentication.suite')
})
describe('oauth: provider restart', () => {
  require('./provider-restart.suite')
})
