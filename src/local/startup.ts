/**
 * The one start-up path of the local runner, shared by the server (`npm start`) and the CLI: which config
 * to use (option, else environment variable), reading it (the file or the embedded default, brokers
 * replaced), and opening the destination with it, the config checked against the destination so that a
 * bad config fails at start and not per event.
 */
import { Destination, type DestinationDefinition } from '@segment/actions-core'
import ownDefinition from '../index'
import {
  type ConfigFile,
  defaultConfig,
  loadConfigFile,
  verifyConfig,
  withBrokers,
  withFieldDefaults
} from './config-file'

/** Where the config comes from; unset (or empty) means the embedded default and its brokers. */
export interface ConfigChoice {
  /** A config file path. */
  configFile?: string
  /** A comma-separated host:port list replacing `settings.brokers`. */
  brokers?: string
}

const given = (value: string | undefined): string | undefined => (value && value.trim() ? value : undefined)

/** The command-line option wins; `KAFKA_CONFIG_FILE` and `KAFKA_BROKERS` otherwise. */
export function configChoice(
  options: { config?: string; brokers?: string },
  env: NodeJS.ProcessEnv = process.env
): ConfigChoice {
  return {
    configFile: given(options.config ?? env.KAFKA_CONFIG_FILE),
    brokers: given(options.brokers ?? env.KAFKA_BROKERS)?.trim()
  }
}

/** Brokers to use when nothing was chosen (`npm start` starts the project's broker). */
export type LocalBroker = () => Promise<{ bootstrap: string; note: string }>

export interface LoadedConfig {
  config: ConfigFile
  /** Where the brokers come from, for a start-up banner. */
  brokersNote: string
  /** True when `localBroker` supplied the brokers (the project's own broker, started or reused). */
  projectBroker?: boolean
}

/** Reads the chosen config; with neither a file nor brokers chosen, `localBroker` (if given) supplies them. */
export async function loadConfig(choice: ConfigChoice, localBroker?: LocalBroker): Promise<LoadedConfig> {
  const { configFile, brokers } = choice
  if (configFile) {
    const config = withBrokers(loadConfigFile(configFile), brokers)
    return { config, brokersNote: brokers ? `${brokers} (KAFKA_BROKERS)` : `${config.settings.brokers} (config file)` }
  }
  if (brokers || !localBroker) {
    const config = withBrokers(defaultConfig(), brokers)
    return { config, brokersNote: brokers ? `${brokers} (KAFKA_BROKERS)` : `${config.settings.brokers} (default)` }
  }
  const local = await localBroker()
  return {
    config: withBrokers(defaultConfig(), local.bootstrap),
    brokersNote: `${local.bootstrap} (${local.note})`,
    projectBroker: true
  }
}

export interface LocalRunner {
  definition: DestinationDefinition<unknown>
  destination: Destination<unknown>
  /** The config with the defaults of the settings and action fields filled in. */
  config: ConfigFile
}

/**
 * The destination for a config. The config is checked against it first (actions exist, settings valid,
 * FQL parses), so a bad config fails here and not per request.
 */
export async function openRunner(
  config: ConfigFile,
  definition: DestinationDefinition<unknown> = ownDefinition as DestinationDefinition<unknown>
): Promise<LocalRunner> {
  const destination = new Destination(definition)
  const filled = withFieldDefaults(config, definition)
  await verifyConfig(destination, filled)
  return { definition, destination, config: filled }
}
