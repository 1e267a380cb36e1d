/**
 * Segment's tracking API over raw HTTP: each call route and /v1/batch (and /v1/import) with the write key
 * as basic-auth user or in the body, the answers' shapes, the clock-skew correction as read back from
 * Kafka, and the 4xx answers for bad requests.
 */
import { randomUUID } from 'node:crypto'
import { startServer, type RunningServer } from '../../src/local/server'
import {
  basic,
  call,
  gatewayConfig,
  OTHER_WRITE_KEY,
  readUntil,
  securedServer,
  values,
  WRITE_KEY
} from '../helpers/gateway'
import { createTopic, uniqueTopic } from '../helpers/kafka'

jest.setTimeout(60000)

let server: RunningServer
let topic: string
beforeAll(async () => {
  topic = await createTopic(uniqueTopic('gateway-tracking'))
  server = await startServer({ port: 0, config: gatewayConfig(topic, securedServer()) })
})
afterAll(() => server?.close())

async function landed(ids: string[]): Promise<Record<string, Record<string, unknown>>> {
  const records = await readUntil(topic, (rs) => ids.every((id) => rs.some((r) => r.key === id)))
  const out: Record<string, Record<string, unknown>> = {}
  values(records).forEach((v, i) => (out[records[i].key ?? ''] = v))
  return out
}

describe('the tracking API routes', () => {
  it.each([
    ['track', { event: 'Signed Up', properties: { plan: 'pro' } }],
    ['identify', { traits: { email: 'ada@example.com' } }],
    ['page', { name: 'Pricing' }],
    ['screen', { name: 'Home' }],
    ['group', { groupId: 'g-1' }],
    ['alias', { previousId: 'old-id' }]
  ])('POST /v1/%s answers { success: true } once the event is in Kafka', async (type, fields) => {
    const messageId = `m-${randomUUID()}`
    const reply = await call(
      server.url,
      'POST',
      `/v1/${type}`,
      { userId: 'u-1', messageId, ...fields },
      basic(WRITE_KEY)
    )
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({ success: true })
    const byId = await landed([messageId])
    expect(byId[messageId]).toMatchObject({ type, userId: 'u-1', messageId, ...fields })
  })

  it('POST /v1/batch and /v1/import with the write key in the body; the batch sentAt corrects client clock skew', async () => {
    const ids = [`b-${randomUUID()}`, `b-${randomUUID()}`, `i-${randomUUID()}`]
    // The client clock is a day ahead; the events happened 5 s and 1 s before the batch was sent.
    const sentAt = new Date(Date.now() + 86400000)
    const at = (msBefore: number): string => new Date(sentAt.getTime() - msBefore).toISOString()
    const batch = await call(server.url, 'POST', '/v1/batch', {
      writeKey: WRITE_KEY,
      sentAt: sentAt.toISOString(),
      context: { library: { name: 'raw-http', version: '0' } },
      batch: [
        { type: 'track', event: 'A', userId: 'u-2', messageId: ids[0], timestamp: at(5000) },
        { type: 'identify', anonymousId: 'anon-2', messageId: ids[1], timestamp: at(1000) }
      ]
    })
    expect(batch.status).toBe(200)
    expect(batch.body).toEqual({ success: true })
    const imported = await call(server.url, 'POST', '/v1/import', {
      writeKey: OTHER_WRITE_KEY,
      batch: [{ type: 'page', userId: 'u-3', messageId: ids[2] }]
    })
    expect(imported.status).toBe(200)

    const byId = await landed(ids)
    const skew = (e: Record<string, unknown>): number =>
      Date.parse(String(e.receivedAt)) - Date.parse(String(e.timestamp))
    expect(skew(byId[ids[0]])).toBe(5000)
    expect(skew(byId[ids[1]])).toBe(1000)
    expect(byId[ids[0]]).toMatchObject({ originalTimestamp: at(5000), sentAt: sentAt.toISOString() })
    expect(byId[ids[0]].context).toEqual({ library: { name: 'raw-http', version: '0' } })
    expect(byId[ids[0]]).not.toHaveProperty('writeKey')
    expect(byId[ids[2]].messageId).toBe(ids[2])
  })

  it('adds a messageId when the event has none', async () => {
    const userId = `no-id-${randomUUID()}`
    expect((await call(server.url, 'POST', '/v1/track', { userId, event: 'E' }, basic(WRITE_KEY))).status).toBe(200)
    const records = await readUntil(topic, (rs) => values(rs).some((v) => v.userId === userId))
    const event = values(records).find((v) => v.userId === userId)
    expect(event?.messageId).toMatch(/^api-/)
  })
})

describe('refusals and bad requests', () => {
  it.each([
    ['no write key', {}, { userId: 'u', event: 'E' }, /write key is required/],
    ['a wrong basic-auth user', basic('wk-wrong-0000000000'), { userId: 'u', event: 'E' }, /not valid/],
    ['a wrong key in the body', {}, { userId: 'u', event: 'E', writeKey: 'wk-wrong-in-body' }, /not valid/]
  ])('%s: 401 naming nothing secret', async (_, headers, body, message) => {
    const reply = await call(server.url, 'POST', '/v1/track', body, headers)
    expect(reply.status).toBe(401)
    expect(reply.headers['www-authenticate']).toMatch(/^Basic/)
    expect(String((reply.body.error as { message: string }).message)).toMatch(message)
    expect(reply.text).not.toContain(WRITE_KEY)
    expect(reply.text).not.toContain('wk-wrong')
  })

  it.each([
    ['/v1/track', { userId: 'u' }, /event is required/],
    ['/v1/track', { event: 'E' }, /userId or anonymousId is required/],
    ['/v1/group', { userId: 'u' }, /groupId is required/],
    ['/v1/alias', { userId: 'u' }, /previousId is required/],
    ['/v1/track', { userId: 'u', event: 'E', properties: 'x' }, /properties must be object or null/],
    ['/v1/track', { type: 'identify', userId: 'u' }, /body\.type is 'identify' on the \/v1\/track route/],
    ['/v1/batch', { batch: [] }, /fewer than 1 items/],
    ['/v1/batch', { batch: [{ type: 'track', userId: 'u' }] }, /batch\[0\]\.event is required/],
    ['/v1/batch', { batch: [{ type: 'delete', userId: 'u' }] }, /batch\[0\]\.type must be equal to one of/],
    ['/v1/batch', { batch: [{ type: 'track', event: 'E' }] }, /batch\[0\]: userId or anonymousId is required/],
    ['/v1/batch', [{ type: 'track' }], /body must be object/]
  ])('%s %j -> 400 naming the field', async (route, body, message) => {
    const reply = await call(server.url, 'POST', route, body, basic(WRITE_KEY))
    expect(reply.status).toBe(400)
    expect(String((reply.body.error as { message: string }).message)).toMatch(message)
  })

  it('an unsupported content-encoding -> 415; gzip that is not gzip -> 400', async () => {
    const br = await call(server.url, 'POST', '/v1/track', '{}', { ...basic(WRITE_KEY), 'content-encoding': 'br' })
    expect(br.status).toBe(415)
    const bad = await call(server.url, 'POST', '/v1/track', 'not gzip', {
      ...basic(WRITE_KEY),
      'content-encoding': 'gzip'
    })
    expect(bad.status).toBe(400)
  })
})
