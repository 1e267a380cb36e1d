/**
 * The per-event schema step against the real registry: a bad event fails alone naming its field,
 * a registry problem fails only the events that need that schema, events without a schema format are
 * left alone, and no secret reaches an error, a message or a cache key.
 */
import { randomUUID } from 'node:crypto'
import { RegistryClients } from '../../../src/schema/clients'
import { encodeWithSchemas, type SchemaPayload } from '../../../src/schema/encode-events'
import type { RegistrySettings } from '../../../src/schema/settings'
import { unframe } from '../../../src/schema/wire'
import { deleteCreatedSubjects, registerSchema, registry } from '../../helpers/registry'

afterAll(deleteCreatedSubjects)

const clients = new RegistryClients()
afterAll(() => clients.clear())

const ORDER = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: 'double' }
  ]
}

function settings(password?: string): RegistrySettings {
  const info = registry()
  return { url: info.url, username: info.users.reader.username, password: password ?? info.users.reader.password }
}

test('each event is encoded on its own; a bad one fails alone naming the field', async () => {
  const topic = `step-${randomUUID().slice(0, 8)}`
  const id = await registerSchema(`${topic}-value`, ORDER)
  const keyId = await registerSchema(`${topic}-key`, {
    type: 'record',
    name: 'Key',
    fields: [{ name: 'user', type: 'string' }]
  })
  const avro = { topic, value_format: 'avro' }
  const payloads: SchemaPayload[] = [
    { ...avro, payload: { id: 'a', total: 1 } },
    { ...avro, payload: { id: 'b', total: 'lots' } },
    { topic, payload: { plain: 'json' } },
    { ...avro, payload: { id: 'c', total: 3 }, key_format: 'avro', key_data: { user: 'u-1' } },
    { ...avro, payload: { id: 'd', total: 4 }, key_format: 'avro', key: 'text-but-record-expected' },
    { ...avro, payload: { id: 'e', total: 5 }, value_schema_version: 'v1' }
  ]
  const out = await encodeWithSchemas(settings(), payloads, clients)
  expect(out[0]).toMatchObject({ ok: true })
  expect(out[0]?.ok && unframe(out[0].encoded.value as Buffer).id).toBe(id)
  expect(out[1]).toMatchObject({
    ok: false,
    error: {
      status: 400,
      code: 'SCHEMA_ENCODING_FAILED',
      message: expect.stringMatching(/^payload\.total must be a number \(double\), got "lots"/)
    }
  })
  expect(out[2]).toBeUndefined()
  expect(out[3]?.ok && unframe(out[3].encoded.key as Buffer).id).toBe(keyId)
  expect(out[4]).toMatchObject({
    ok: false,
    error: { status: 400, message: expect.stringMatching(/^key must be an object \(record Key\)/) }
  })
  expect(out[5]).toMatchObject({ ok: false, error: { status: 400, field: 'value_schema_version' } })
})

test('a registry problem fails only the events that need that schema', async () => {
  const topic = `step-${randomUUID().slice(0, 8)}`
  await registerSchema(`${topic}-value`, ORDER)
  const out = await encodeWithSchemas(
    settings(),
    [
      { topic, value_format: 'avro', payload: { id: 'a', total: 1 } },
      { topic: `${topic}-nosubject`, value_format: 'avro', payload: { id: 'b', total: 2 } },
      { topic, value_format: 'protobuf', payload: {} },
      { topic, payload: { json: true } }
    ],
    clients
  )
  expect(out[0]).toMatchObject({ ok: true })
  expect(out[1]).toMatchObject({
    ok: false,
    error: {
      status: 400,
      code: 'SCHEMA_SUBJECT_NOT_FOUND',
      message: expect.stringContaining(`"${topic}-nosubject-value"`)
    }
  })
  expect(out[2]).toMatchObject({ ok: false, error: { status: 400, code: 'SCHEMA_TYPE_MISMATCH' } })
  expect(out[3]).toBeUndefined()
})

test('no registry URL: the events with a schema format fail with a 400 saying so', async () => {
  const out = await encodeWithSchemas(
    undefined,
    [
      { topic: 't', value_format: 'avro', payload: {} },
      { topic: 't', payload: {} }
    ],
    clients
  )
  expect(out[0]).toMatchObject({ ok: false, error: { status: 400, code: 'SCHEMA_REGISTRY_NOT_CONFIGURED' } })
  expect(out[1]).toBeUndefined()
})

test('a wrong password: 401 for those events; the password is in no error and no cache key', async () => {
  const secret = `wrong-${randomUUID()}`
  const own = new RegistryClients()
  try {
    const [outcome] = await encodeWithSchemas(
      settings(secret),
      [{ topic: 't', value_format: 'avro', payload: {} }],
      own
    )
    expect(outcome).toMatchObject({ ok: false, error: { status: 401, code: 'SCHEMA_REGISTRY_AUTHENTICATION_FAILED' } })
    const error = outcome && !outcome.ok ? outcome.error : new Error('expected an error')
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(secret)
    const keys = [...(own as unknown as { cache: Map<string, unknown> }).cache.keys()]
    expect(keys).toHaveLength(1)
    expect(keys.join()).not.toContain(secret)
    expect(keys.join()).not.toContain(registry().url)
  } finally {
    own.clear()
  }
})
