/**
 * The schema registry settings: fields shown to the user, and their validation into
 * `RegistrySettings`. Optional as a whole: only events mapped with a schema format need them.
 * The password never appears in a message, and a URL carrying credentials is refused without echoing it.
 */
import { IntegrationError, type GlobalSetting } from '@segment/actions-core'
import { normaliseCertificates } from '../pem'
import type { RegistryEndpoint } from './http'

export const REGISTRY_SETTING_NAMES = [
  'schema_registry_url',
  'schema_registry_username',
  'schema_registry_password',
  'schema_registry_ca'
] as const

export type RegistrySettingsInput = Partial<Record<(typeof REGISTRY_SETTING_NAMES)[number], string>>

export type RegistrySettings = RegistryEndpoint

export const registrySettingsFields: Record<(typeof REGISTRY_SETTING_NAMES)[number], GlobalSetting> = {
  schema_registry_url: {
    label: 'Schema Registry URL',
    description:
      'For the Avro, JSON Schema and Protobuf formats: the base URL of a Confluent-compatible schema registry, e.g. `https://psrc-abc12.eu-west-1.aws.confluent.cloud`, `http://registry:8081`, or Apicurio’s `http://registry:8080/apis/ccompat/v7`.',
    type: 'string'
  },
  schema_registry_username: {
    label: 'Schema Registry Username',
    description: 'Basic auth user for the schema registry (on Confluent Cloud: the Schema Registry API key).',
    type: 'string'
  },
  schema_registry_password: {
    label: 'Schema Registry Password',
    description: 'Basic auth password for the schema registry (on Confluent Cloud: the Schema Registry API secret).',
    type: 'password'
  },
  schema_registry_ca: {
    label: 'Schema Registry CA',
    description:
      'PEM of the CA that issued the schema registry’s TLS certificate, when it is a private one (added to the public CAs).',
    type: 'string'
  }
}

export class RegistrySettingsError extends IntegrationError {
  constructor(field: string, problem: string) {
    super(`${field} ${problem}`, 'INVALID_SCHEMA_REGISTRY_SETTINGS', 400)
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

/** The registry settings, checked; undefined when no URL is set. Throws RegistrySettingsError (400). */
export function normaliseRegistrySettings(raw: RegistrySettingsInput | undefined): RegistrySettings | undefined {
  const url = text(raw?.schema_registry_url)
  if (!url) return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new RegistrySettingsError('schema_registry_url', 'is not a URL (expected e.g. https://registry.example.com).')
  }
  if (parsed.username || parsed.password)
    throw new RegistrySettingsError(
      'schema_registry_url',
      'must not contain a user name or password: put them in Schema Registry Username and Password.'
    )
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new RegistrySettingsError(
      'schema_registry_url',
      `must start with https:// or http://, got ${parsed.protocol}//.`
    )
  if (parsed.search || parsed.hash)
    throw new RegistrySettingsError('schema_registry_url', 'must not have a query (?) or a fragment (#).')
  const settings: RegistrySettings = { url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` }
  const username = text(raw?.schema_registry_username)
  const password = typeof raw?.schema_registry_password === 'string' ? raw.schema_registry_password : undefined
  if (password && !username)
    throw new RegistrySettingsError('schema_registry_username', 'is required when a Schema Registry Password is set.')
  if (username) settings.username = username
  if (password) settings.password = password
  const ca = text(raw?.schema_registry_ca)
  if (ca) settings.ca = normaliseCertificates(ca, 'schema_registry_ca').join('')
  return settings
}
