/**
 * The schema registry settings: fields shown to the user (part of the destination's settings), and
 * their checks, run by the one settings stage (src/settings.ts). Optional as a whole: only events
 * mapped with a schema format need them. The password never appears in a message, and a URL carrying
 * credentials is refused without echoing it.
 */
import type { GlobalSetting } from '@segment/actions-core'
import { SettingsError } from '../errors'
import { normaliseCertificates } from '../pem'
import type { RegistryEndpoint } from './http'

export type RegistrySettings = RegistryEndpoint

export const registrySettingsFields = {
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
      'PEM of the CA that issued the schema registry’s TLS certificate, when it is a private one (added to the public CAs). The full PEM or its body.',
    type: 'string'
  }
} satisfies Record<string, GlobalSetting>

export type RegistrySettingName = keyof typeof registrySettingsFields
export type RegistrySettingsInput = Partial<Record<RegistrySettingName, unknown>>

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

/**
 * The registry settings, checked (problems pushed to `problems`, named by field, never echoing a URL
 * that carries credentials); undefined without a URL. The CA stays as typed: resolveRegistryPem.
 */
export function checkRegistrySettings(raw: RegistrySettingsInput, problems: string[]): RegistrySettings | undefined {
  const url = text(raw.schema_registry_url)
  const username = text(raw.schema_registry_username)
  const password = typeof raw.schema_registry_password === 'string' ? raw.schema_registry_password : undefined
  const ca = text(raw.schema_registry_ca)
  if (!url) {
    if (username || password || ca)
      problems.push('schema_registry_url is required with the other schema registry settings')
    return undefined
  }
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    problems.push('schema_registry_url is not a URL (expected e.g. https://registry.example.com)')
    return undefined
  }
  if (parsed.username || parsed.password) {
    problems.push(
      'schema_registry_url must not contain a user name or password (put them in the schema registry username and password)'
    )
    return undefined
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    problems.push(`schema_registry_url must start with https:// or http://, not ${parsed.protocol}//`)
  if (parsed.search || parsed.hash) problems.push('schema_registry_url must not have a query (?) or a fragment (#)')
  if (password && !username) problems.push('schema_registry_username is required with schema_registry_password')
  const settings: RegistrySettings = { url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` }
  if (username) settings.username = username
  if (password) settings.password = password
  if (ca) settings.ca = ca
  return settings
}

/** Replaces the CA by checked PEM (PemError naming schema_registry_ca). */
export function resolveRegistryPem(settings: RegistrySettings): void {
  if (settings.ca) settings.ca = normaliseCertificates(settings.ca, 'schema_registry_ca').join('')
}

/** The registry settings alone (the dynamic fields): checked, CA resolved; a SettingsError or PemError (400). */
export function normaliseRegistrySettings(raw: RegistrySettingsInput | undefined): RegistrySettings | undefined {
  const problems: string[] = []
  const settings = checkRegistrySettings(raw ?? {}, problems)
  if (problems.length) throw new SettingsError(problems)
  if (settings) resolveRegistryPem(settings)
  return settings
}
