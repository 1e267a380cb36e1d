/**
 * What schema-registry tests share: the running registry's facts, schema registration and subject
 * clean-up through its API (plain fetch, not our client), and the independent decoder: Confluent's
 * Python deserializers (scripts/registry/decode.py) reading a topic back.
 */
import { execFile } from 'node:child_process'
import { readInfo, type RegistryInfo } from '../../scripts/registry/registry'
import { DECODER, ensureVenv } from '../../scripts/registry/python'
import { broker } from './kafka'

export function registry(): RegistryInfo {
  return readInfo()
}

type User = keyof RegistryInfo['users']

function authorization(user: User = 'producer'): string {
  const u = registry().users[user]
  return `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`
}

async function api(method: string, path: string, body?: unknown, user: User = 'producer'): Promise<Response> {
  return fetch(`${registry().url}${path}`, {
    method,
    headers: { authorization: authorization(user), 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
}

const subjects: string[] = []

/** Registers a schema under `subject` (deleted by deleteCreatedSubjects) and returns its id. */
export async function registerSchema(
  subject: string,
  schema: string | object,
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF' = 'AVRO'
): Promise<number> {
  const text = typeof schema === 'string' ? schema : JSON.stringify(schema)
  const response = await api('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: text, schemaType })
  const body = (await response.json()) as { id?: number; message?: string }
  if (!response.ok || body.id === undefined)
    throw new Error(`registering ${subject}: ${response.status} ${JSON.stringify(body)}`)
  subjects.push(subject)
  return body.id
}

/** Notes a subject created another way (e.g. by the destination), to delete it after the file. */
export function trackSubject(subject: string): void {
  subjects.push(subject)
}

export async function setCompatibility(
  subject: string,
  compatibility: 'BACKWARD' | 'FORWARD' | 'FULL' | 'NONE'
): Promise<void> {
  const response = await api('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility })
  if (!response.ok) throw new Error(`setting compatibility of ${subject}: ${response.status} ${await response.text()}`)
}

/** Deletes (soft, then permanently) every subject the current test file registered or tracked. */
export async function deleteCreatedSubjects(): Promise<void> {
  for (const subject of [...new Set(subjects.splice(0))]) {
    const path = `/subjects/${encodeURIComponent(subject)}`
    await api('DELETE', path).catch(() => undefined)
    await api('DELETE', `${path}?permanent=true`).catch(() => undefined)
  }
}

export type WireFormat = 'string' | 'json' | 'avro' | 'json-schema' | 'protobuf' | 'raw'

export interface DecodedRecord {
  partition: number
  offset: number
  key: unknown
  value: unknown
  key_schema_id?: number
  value_schema_id?: number
  key_message?: string
  value_message?: string
  value_message_indexes?: number[]
  key_error?: string
  value_error?: string
}

/**
 * Every record of `topic`, decoded by Confluent's Python deserializers against the registry (read as
 * the read-only user). Rejects with the decoder's output when it fails.
 */
export function decodeTopic(
  topic: string,
  formats: { key?: WireFormat; value?: WireFormat } = {},
  timeoutMs = 60_000,
  /** More options for the decoder, e.g. `['--last', '1']` or `['--offset', '3']`. */
  extra: string[] = []
): Promise<DecodedRecord[]> {
  const python = ensureVenv()
  const info = registry()
  const args = [
    DECODER,
    '--bootstrap',
    broker().bootstrap.plaintext,
    '--topic',
    topic,
    '--registry',
    info.url,
    '--key-format',
    formats.key ?? 'string',
    '--value-format',
    formats.value ?? 'avro',
    '--timeout',
    String(Math.floor(timeoutMs / 1000) - 5),
    ...extra
  ]
  const env = { ...process.env, REGISTRY_BASIC_AUTH: `${info.users.reader.username}:${info.users.reader.password}` }
  return new Promise((resolve, reject) => {
    execFile(python, args, { env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`the Python decoder failed: ${error.message}\n${stderr}`))
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as DecodedRecord)
      )
    })
  })
}
