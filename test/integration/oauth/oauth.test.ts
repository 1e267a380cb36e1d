/**
 * The OAuth / OIDC suites against the project's identity provider. The last one stops and restarts the
 * provider, which every other suite here needs, so they run in this one file, one after the other.
 */
import './token-endpoint.suite'
import './listener.suite'
import './destination.suite'
import './reauthentication.suite'
import './provider-restart.suite'
