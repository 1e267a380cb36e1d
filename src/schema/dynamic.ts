/**
 * Dynamic fields for the UI: the registry's subjects (`value_subject`, `key_subject`) and the versions
 * of the subject the mapping would use (`value_schema_version`, `key_schema_version`). Never throw: a
 * failure is `{ choices: [], error }` with the same message an event would get.
 */
import type { DynamicFieldResponse } from '@segment/actions-core'
import { registryClients } from './clients'
import { schemaError } from './errors'
import { partValues } from './fields'
import { subjectOf } from './serializer'
import { normaliseRegistrySettings, type RegistrySettingsInput } from './settings'

type Part = 'key' | 'value'

interface DynamicInput {
  settings: RegistrySettingsInput
  payload?: object
  dynamicFieldContext?: { query?: string }
}

function failed(error: unknown): DynamicFieldResponse {
  const e = error as Error & { code?: unknown }
  return { choices: [], error: { code: String(e.code ?? 'UNKNOWN_ERROR'), message: e.message } }
}

function serializers(settings: RegistrySettingsInput) {
  const registry = normaliseRegistrySettings(settings)
  if (!registry)
    throw schemaError(
      'SCHEMA_REGISTRY_NOT_CONFIGURED',
      'Set the Schema Registry URL in the settings to list its subjects.'
    )
  return registryClients.get(registry)
}

export async function subjectChoices(input: DynamicInput): Promise<DynamicFieldResponse> {
  try {
    const subjects = await serializers(input.settings).client.subjects()
    const q = input.dynamicFieldContext?.query?.trim().toLowerCase()
    return {
      choices: subjects
        .filter((s) => !q || s.toLowerCase().includes(q))
        .sort()
        .map((s) => ({ label: s, value: s }))
    }
  } catch (error) {
    return failed(error)
  }
}

export async function versionChoices(input: DynamicInput, part: Part): Promise<DynamicFieldResponse> {
  try {
    const payload = (input.payload ?? {}) as Record<string, unknown>
    const v = partValues(payload, part)
    const topic = typeof payload.topic === 'string' ? payload.topic : ''
    const strategy = (v.subject_strategy ?? 'topic') as 'topic' | 'record' | 'topic-record'
    const subject = subjectOf({ format: 'avro', part, topic, strategy, subject: v.subject }, v.record_name)
    const versions = await serializers(input.settings).client.versions(subject)
    return {
      choices: [
        { label: `latest (of ${subject})`, value: 'latest' },
        ...versions.sort((a, b) => b - a).map((n) => ({ label: `${n}`, value: String(n) }))
      ]
    }
  } catch (error) {
    return failed(error)
  }
}

/** Ready to plug into the action's `dynamicFields`. */
export const schemaDynamicFields = {
  value_subject: (_request: unknown, input: DynamicInput) => subjectChoices(input),
  key_subject: (_request: unknown, input: DynamicInput) => subjectChoices(input),
  value_schema_version: (_request: unknown, input: DynamicInput) => versionChoices(input, 'value'),
  key_schema_version: (_request: unknown, input: DynamicInput) => versionChoices(input, 'key')
}
