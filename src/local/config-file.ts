/**
 * The JSON config file of the local server and the CLI: the destination settings and the subscriptions
 * (FQL `subscribe` + `mapping`) that decide which raw Segment events go where, the way an actions
 * runtime stores them for one destination instance. Also the embedded default used when no file is given.
 */
import * as fs from 'node:fs'
import Ajv, { type ErrorObject } from 'ajv'
import { defaultValues, type Destination, type DestinationDefinition, type JSONObject } from '@segment/actions-core'
import { DEFAULT_SUBSCRIPTION } from '../default-subscription'

export interface SubscriptionConfig {
  /** Shown in results and summaries; defaults to `subscription <n>`. */
  name: string
  /** FQL, e.g. `type = "track" and event = "Order Completed"`. */
  subscribe: string
  /** The action the matched events run through; defaults to `send`. */
  partnerAction: string
  mapping: JSONObject
}

export interface ConfigFile {
  settings: Record<string, string | number | boolean>
  subscriptions: SubscriptionConfig[]
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['settings', 'subscriptions'],
  properties: {
    $schema: { type: 'string' },
    settings: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'] }
    },
    subscriptions: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['subscribe', 'mapping'],
        properties: {
          name: { type: 'string', minLength: 1 },
          subscribe: { type: 'string', minLength: 1 },
          partnerAction: { type: 'string', minLength: 1 },
          mapping: { type: 'object' }
        }
      }
    }
  }
} as const

const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(SCHEMA)

/** The FQL the default subscription uses: every event type the issue names, nothing else (no alias/delete). */
export const DEFAULT_TOPIC = 'segment-events'
export const DEFAULT_BROKERS = '127.0.0.1:19092'

/**
 * The embedded default: the project's local broker (PLAINTEXT, no auth) and one subscription sending every
 * track/identify/page/screen/group event, whole, to `segment-events`, keyed by userId (anonymousId when
 * there is none), so all events of one user land in one partition in order.
 */
export function defaultConfig(): ConfigFile {
  return {
    settings: { brokers: DEFAULT_BROKERS, mechanism: 'none', ssl_enabled: false },
    subscriptions: [
      {
        name: 'every event to segment-events',
        subscribe: DEFAULT_SUBSCRIPTION,
        partnerAction: 'send',
        mapping: {
          topic: DEFAULT_TOPIC,
          payload: { '@path': '$.' },
          key: {
            '@if': {
              exists: { '@path': '$.userId' },
              then: { '@path': '$.userId' },
              else: { '@path': '$.anonymousId' }
            }
          }
        }
      }
    ]
  }
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(root)'
      if (e.keyword === 'additionalProperties')
        return `${at}: unknown property '${String(e.params.additionalProperty)}'`
      if (e.keyword === 'required') return `${at}: missing required property '${String(e.params.missingProperty)}'`
      return `${at}: ${e.message ?? 'is invalid'}`
    })
    .join('; ')
}

/** Validates parsed JSON as a config file and fills in names and the partner action. */
export function parseConfig(value: unknown, source = 'config'): ConfigFile {
  if (!validate(value)) throw new ConfigError(`${source} is not a valid config file: ${describe(validate.errors)}`)
  const raw = value as {
    settings: ConfigFile['settings']
    subscriptions: { name?: string; subscribe: string; partnerAction?: string; mapping: JSONObject }[]
  }
  return {
    settings: { ...raw.settings },
    subscriptions: raw.subscriptions.map((s, i) => ({
      name: s.name ?? `subscription ${i + 1}`,
      subscribe: s.subscribe,
      partnerAction: s.partnerAction ?? 'send',
      mapping: s.mapping
    }))
  }
}

/** Reads and validates a config file; every failure is a ConfigError naming the file and the field. */
export function loadConfigFile(file: string): ConfigFile {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`)
  }
  return parseConfig(json, `config file ${file}`)
}

/** `KAFKA_BROKERS` (comma-separated host:port list) replaces the brokers of whichever config is used. */
export function withBrokers(config: ConfigFile, brokers: string | undefined): ConfigFile {
  if (!brokers || !brokers.trim()) return config
  return { ...config, settings: { ...config.settings, brokers: brokers.trim() } }
}

/** The destination's settings with the defaults of its settings fields under them (the given ones win). */
export function settingsWithDefaults<T extends object>(definition: DestinationDefinition<unknown>, settings: T): T {
  return { ...defaultValues(definition.authentication?.fields ?? {}), ...settings }
}

/** An action's mapping with the defaults of the action's fields under it (the given ones win). */
export function mappingWithDefaults(
  definition: DestinationDefinition<unknown>,
  action: string,
  mapping: JSONObject
): JSONObject {
  return { ...defaultValues(definition.actions[action]?.fields ?? {}), ...mapping }
}

/**
 * Fills in the defaults of the settings fields and of each subscription's action fields, the way a
 * runtime's UI pre-fills them (the runtime itself does not): a config only needs what it changes.
 */
export function withFieldDefaults(config: ConfigFile, definition: DestinationDefinition<unknown>): ConfigFile {
  return {
    settings: settingsWithDefaults(definition, config.settings),
    subscriptions: config.subscriptions.map((s) => ({
      ...s,
      mapping: mappingWithDefaults(definition, s.partnerAction, s.mapping)
    }))
  }
}

/**
 * Checks what only the destination can: each partner action exists, the settings pass the destination's
 * settings schema, and each `subscribe` is valid FQL. The FQL check runs the subscription on an empty
 * batch: actions-core answers `not subscribed` for valid FQL and an empty multistatus for invalid FQL,
 * without ever calling the action.
 */
export async function verifyConfig(destination: Destination<unknown>, config: ConfigFile): Promise<void> {
  for (const [i, s] of config.subscriptions.entries()) {
    if (!destination.actions[s.partnerAction]) {
      throw new ConfigError(
        `subscriptions.${i}.partnerAction: the destination has no action '${s.partnerAction}' (it has ${Object.keys(destination.actions).join(', ')})`
      )
    }
  }
  try {
    destination.validateSettings(config.settings)
  } catch (error) {
    throw new ConfigError(`settings: ${(error as Error).message}`)
  }
  for (const [i, s] of config.subscriptions.entries()) {
    const results = await destination.onBatch([], { ...config.settings, subscriptions: [s] } as unknown as JSONObject)
    if (results[0]?.output !== 'not subscribed') {
      throw new ConfigError(`subscriptions.${i}.subscribe is not valid FQL: ${s.subscribe}`)
    }
  }
}
