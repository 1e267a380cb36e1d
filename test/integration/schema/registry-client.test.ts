/**
 * The registry client against the project's Apicurio Registry (Confluent-compatible API): fetching,
 * registering, caching and every error class, with the registry's own 401/403/404/409 answers.
 */
import * as fs from 'node:fs'
import { randomUUID } from 'node:crypto'
import { RetryableError } from '@segment/actions-core'
import { RegistryClient } from '../../../src/schema/registry-client'
import { deleteCreatedSubjects, registerSchema, registry, setCompatibility, trackSubject } from '../../helpers/registry'
import { relay } from '../../helpers/tcp-proxy'

afterAll(deleteCreatedSubjects)

const subject = (name: string): string => `client-${name}-${randomUUID().slice(0, 8)}-value`
const schemaV1 = { type: 'record', name: 'User', namespace: 'test', fields: [{ name: 'id', type: 'string' }] }
const schemaV2 = {
  ...schemaV1,
  fields: [...schemaV1.fields, { name: 'age', type: ['null', 'int'], default: null }]
}

function client(user: 'producer' | 'reader' = 'producer', options = {}): RegistryClient {
  const info = registry()
  const u = info.users[user]
  return new RegistryClient({ url: info.url, username: u.username, password: u.password }, options)
}

const clients: RegistryClient[] = []
const track = (c: RegistryClient): RegistryClient => (clients.push(c), c)
afterAll(() => clients.forEach((c) => c.close()))

test('fetches the latest version, a pinned version and a schema by id', async () => {
  const s = subject('fetch')
  const id1 = await registerSchema(s, schemaV1)
  const id2 = await registerSchema(s, schemaV2)
  const c = track(client('reader'))
  await expect(c.latest(s)).resolves.toMatchObject({ id: id2, version: 2, schemaType: 'AVRO', subject: s })
  await expect(c.version(s, 1)).resolves.toMatchObject({ id: id1, version: 1 })
  const byId = await c.byIdentifier(id1)
  expect(JSON.parse(byId.schema)).toEqual(schemaV1)
  await expect(c.subjects()).resolves.toContain(s)
  await expect(c.versions(s)).resolves.toEqual([1, 2])
})

test('the latest version is re-checked only once the interval has passed', async () => {
  const s = subject('ttl')
  const id1 = await registerSchema(s, schemaV1)
  let now = 1_000_000
  const c = track(client('reader', { latestTtlMs: 30_000, now: () => now }))
  await expect(c.latest(s)).resolves.toMatchObject({ id: id1 })
  const id2 = await registerSchema(s, schemaV2)
  now += 29_000
  await expect(c.latest(s)).resolves.toMatchObject({ id: id1 })
  now += 2_000
  await expect(c.latest(s)).resolves.toMatchObject({ id: id2 })
})

test('concurrent first uses share one request', async () => {
  const s = subject('share')
  await registerSchema(s, schemaV1)
  const c = track(client('reader'))
  // The transport under the client's API calls (registry-api.ts).
  const http = (c as unknown as { api: { http: { request: (...args: unknown[]) => unknown } } }).api.http
  const spy = jest.spyOn(http, 'request')
  const results = await Promise.all(Array.from({ length: 20 }, () => c.latest(s)))
  expect(new Set(results.map((r) => r.id)).size).toBe(1)
  expect(spy).toHaveBeenCalledTimes(1)
  await Promise.all(
    Array.from({ length: 10 }, () => c.register(s, { schema: JSON.stringify(schemaV1), schemaType: 'AVRO' }))
  )
  expect(spy).toHaveBeenCalledTimes(2) // one lookup, which found it
})

test('a schema text is looked up, or registered when the subject lacks it', async () => {
  const s = subject('register')
  trackSubject(s)
  const c = track(client('producer'))
  const registered = await c.register(s, { schema: JSON.stringify(schemaV1), schemaType: 'AVRO' })
  expect(registered.id).toBeGreaterThan(0)
  // The read-only user finds the same schema by lookup, without registering.
  const reader = track(client('reader'))
  await expect(reader.register(s, { schema: JSON.stringify(schemaV1), schemaType: 'AVRO' })).resolves.toMatchObject({
    id: registered.id,
    version: 1
  })
})

test('unknown subject and unknown version: 400 naming them', async () => {
  const c = track(client('reader'))
  const missing = subject('missing')
  await expect(c.latest(missing)).rejects.toMatchObject({
    status: 400,
    code: 'SCHEMA_SUBJECT_NOT_FOUND',
    message: expect.stringContaining(`"${missing}"`)
  })
  const s = subject('versions')
  await registerSchema(s, schemaV1)
  await expect(c.version(s, 7)).rejects.toMatchObject({
    status: 400,
    code: 'SCHEMA_VERSION_NOT_FOUND',
    message: expect.stringContaining(`Version 7 of subject "${s}"`)
  })
})

test('wrong password: 401 naming the registry and the user, never the password', async () => {
  const info = registry()
  const c = track(new RegistryClient({ url: info.url, username: 'registry-reader', password: 'not-the-secret-XYZ' }))
  const error = (await c.latest(subject('auth')).catch((e: unknown) => e)) as Error & { status: number; code: string }
  expect(error).toMatchObject({ status: 401, code: 'SCHEMA_REGISTRY_AUTHENTICATION_FAILED' })
  expect(error.message).toContain(info.url)
  expect(error.message).toContain('"registry-reader"')
  expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain('not-the-secret-XYZ')
})

test('a read-only user registering: 403 naming the registry and what was refused', async () => {
  const s = subject('forbidden')
  const c = track(client('reader'))
  await expect(c.register(s, { schema: JSON.stringify(schemaV1), schemaType: 'AVRO' })).rejects.toMatchObject({
    status: 403,
    code: 'SCHEMA_REGISTRY_FORBIDDEN',
    message: expect.stringMatching(/registry-reader.*registering a schema under subject/)
  })
})

test('an incompatible schema: 400 with the registry reason', async () => {
  const s = subject('incompatible')
  await registerSchema(s, schemaV1)
  await setCompatibility(s, 'BACKWARD')
  const c = track(client('producer'))
  const incompatible = { ...schemaV1, fields: [{ name: 'id', type: 'int' }] }
  const error = (await c
    .register(s, { schema: JSON.stringify(incompatible), schemaType: 'AVRO' })
    .catch((e: unknown) => e)) as Error
  expect(error).toMatchObject({ status: 400, code: 'SCHEMA_INCOMPATIBLE' })
  expect(error.message).toContain(`subject "${s}" as incompatible: `)
  expect(error.message.length).toBeGreaterThan(`subject "${s}" as incompatible: `.length + 40)
})

test('an invalid schema text: 400 with the registry reason', async () => {
  const s = subject('invalid')
  trackSubject(s)
  const c = track(client('producer'))
  await expect(
    c.register(s, { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}', schemaType: 'AVRO' })
  ).rejects.toMatchObject({
    status: 400,
    code: expect.stringMatching(/^SCHEMA_(INVALID|REGISTRY_ERROR)$/)
  })
})

test('registry down: a retryable 503; a known latest version is kept meanwhile', async () => {
  const s = subject('down')
  const id = await registerSchema(s, schemaV1)
  const info = registry()
  const r = await relay(info.ports.http)
  let now = 0
  const u = info.users.reader
  const c = track(
    new RegistryClient(
      { url: info.url.replace(`:${info.ports.http}`, `:${r.port}`), username: u.username, password: u.password },
      { latestTtlMs: 1000, now: () => now }
    )
  )
  await expect(c.latest(s)).resolves.toMatchObject({ id })
  await r.close()
  now += 5000
  // Known subject: its cached latest version is served while the registry is unreachable.
  await expect(c.latest(s)).resolves.toMatchObject({ id })
  const error = await c.latest(subject('never-seen')).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(RetryableError)
  expect(error).toMatchObject({ status: 503, code: 'SCHEMA_REGISTRY_UNAVAILABLE' })
  await r.open()
  now += 10_000
  await expect(c.latest(s)).resolves.toMatchObject({ id })
  await r.close()
})

test('HTTPS: verified with the CA setting; without it a 400 saying to set the CA', async () => {
  const s = subject('tls')
  const id = await registerSchema(s, schemaV1)
  const info = registry()
  const u = info.users.reader
  const ca = fs.readFileSync(info.ca, 'utf8')
  const withCa = track(new RegistryClient({ url: info.httpsUrl, username: u.username, password: u.password, ca }))
  await expect(withCa.latest(s)).resolves.toMatchObject({ id })
  const withoutCa = track(new RegistryClient({ url: info.httpsUrl, username: u.username, password: u.password }))
  await expect(withoutCa.latest(s)).rejects.toMatchObject({
    status: 400,
    code: 'SCHEMA_REGISTRY_TLS_FAILED',
    message: expect.stringContaining('CA')
  })
})
