/**
 * The Kafka destination: settings (as `authentication.fields`), the connection test and the actions.
 */
import { defaultValues, type DestinationDefinition } from '@segment/actions-core'
import { DEFAULT_SUBSCRIPTION } from './default-subscription'
import send from './send'
import { settingsFields, type Settings } from './settings'
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
export { closeAllProducers } from './producer-pool'
