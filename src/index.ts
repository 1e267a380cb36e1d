/**
 * The Kafka destination: settings (as `authentication.fields`), the connection test and the actions.
 */
import { defaultValues, type DestinationDefinition, type Logger, type StatsContext } from '@segment/actions-core'
import { DEFAULT_SUBSCRIPTION } from './default-subscription'
import send from './send'
import type { PoolObserver } from './producer-pool'
import { Telemetry } from './send/telemetry'
import type { ConnectionSettings } from './settings'
import { settingsFields, type Settings } from './settings-fields'
import { testConnection } from './topics'

export const destination: DestinationDefinition<Settings> = {
  // No space in the name: actions-core keys its compiled schemas by `${name}:${title}` as a URI.
  name: 'Kafka',
  slug: 'actions-kafka',
  mode: 'cloud',
  description: 'Send events to Apache Kafka topics.',
  authentication: {
    scheme: 'custom',
    fields: settingsFields,
    testAuthentication: (_request, { settings }) => testConnection(settings)
  },
  presets: [
    {
      name: 'Send events to Kafka',
      subscribe: DEFAULT_SUBSCRIPTION,
      partnerAction: 'send',
      mapping: defaultValues(send.fields),
      type: 'automatic'
    }
  ],
  actions: { send }
}

export default destination
export { closeAllProducers, observeProducerPool } from './producers'

/**
 * An observer for observeProducerPool() that counts evictions (`kafka.pool.eviction`, tag `reason`)
 * with a host's stats client and logs evictions and failed disconnects, naming connections without secrets.
 */
export function poolTelemetry(
  statsContext?: Partial<StatsContext>,
  logger?: Partial<Logger>
): PoolObserver<ConnectionSettings> {
  return new Telemetry(statsContext, logger).poolObserver()
}
