/**
 * The console's admin routes without a browser (curl-style): admin token required and never answered
 * cross-origin; the overview sees the broker; a topic is created and listed; a dry run predicts the
 * partition, key, headers and value that a real send then gives (read back with kcat); a tail streams a
 * record sent meanwhile and leaves no consumer group behind; a dead letter is listed and replayed once.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import type { ConfigFile } from '../../src/local/config-file'
import { listGroups } from '../../src/kafka/cluster'
import { READER_GROUP_PREFIX } from '../../src/kafka/reader'
import { startServer, type RunningServer } from '../../src/local/server'
import { normaliseSettings } from '../../src/settings'
import { ADMIN_TOKEN, bearer, call, plaintextSettings, readUntil, securedServer } from '../helpers/gateway'
import { createTopic, deleteTopics, uniqueTopic } from '../helpers/kafka'
import { until } from '../helpers/wait'

jest.setTimeout(90000)

const admin = bearer(ADMIN_TOKEN)
const root = path.resolve(__dirname, '..', '..')

/** The CLI as users run it (tsx), its exit status and output. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const tsx = path.join(root, 'node_modules/.bin/tsx')
    const env = { ...process.env, KAFKA_BROKERS: '', KAFKA_CONFIG_FILE: '' }
    execFile(tsx, ['src/local/cli.ts', ...args], { cwd: root, env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    )
  })
}

function config(topic: string, deadLetterTopic: string, timestampPath = '$.properties.when'): ConfigFile {
  return {
    settings: plaintextSettings(),
    subscriptions: [
      {
        name: 'tracks',
        subscribe: 'type = "track"',
        partnerAction: 'send',
        mapping: {
          topic,
          key: { '@path': '$.userId' },
          payload: { '@path': '$.' },
          headers: { 'x-event': { '@path': '$.event' } },
          timestamp: { '@path': timestampPath }
        }
      }
    ],
    server: securedServer({ deadLetter: { topic: deadLetterTopic } })
  }
}

const track = (userId: string, when: string) => ({
  type: 'track',
  event: 'Order Completed',
  userId,
  messageId: `m-${userId}`,
  properties: { when, total: 10 }
})

describe('console admin routes', () => {
  let server: RunningServer
  let topic: string
  let dlq: string
  const made: string[] = []
  beforeAll(async () => {
    topic = await createTopic(uniqueTopic('console'), 3)
    dlq = await createTopic(uniqueTopic('console-dlq'), 1)
    server = await startServer({ port: 0, config: config(topic, dlq) })
  })
  afterAll(async () => {
    await server?.close()
    await deleteTopics(made)
  })

  it('needs the admin token and refuses other origins', async () => {
    expect((await call(server.url, 'GET', '/admin/overview')).status).toBe(401)
    const foreign = await call(server.url, 'GET', '/admin/overview', undefined, {
      ...admin,
      origin: 'http://evil.example'
    })
    expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'CROSS_ORIGIN_REFUSED' } } })
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined()
    const same = await call(server.url, 'GET', '/admin/overview', undefined, { ...admin, origin: server.url })
    expect(same.status).toBe(200)
  })

  it('overview: the broker answering and the connection test', async () => {
    const { status, body } = await call(server.url, 'GET', '/admin/overview', undefined, admin)
    expect(status).toBe(200)
    expect(body).toMatchObject({ connectionTest: { ok: true }, deadLetterTopic: dlq })
    expect((body.cluster as { brokers: unknown[] }).brokers).toHaveLength(1)
  })

  it('topics: create one and see it listed with its partitions', async () => {
    const name = uniqueTopic('console-created')
    made.push(name)
    const created = await call(
      server.url,
      'POST',
      '/admin/topics/create',
      { topic: name, partitions: 4, replicationFactor: 1, minInsyncReplicas: 1 },
      admin
    )
    expect(created.status).toBe(201)
    const again = await call(
      server.url,
      'POST',
      '/admin/topics/create',
      { topic: name, partitions: 4, replicationFactor: 1 },
      admin
    )
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'TOPIC_ALREADY_EXISTS' } } })
    const bad = await call(
      server.url,
      'POST',
      '/admin/topics/create',
      { topic: 'a b', partitions: 0, replicationFactor: 1 },
      admin
    )
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ message: expect.stringContaining('topic') })
    const { body } = await call(server.url, 'GET', '/admin/topics', undefined, admin)
    expect(body.topics).toContainEqual(expect.objectContaining({ name, partitions: 4, replicationFactor: 1 }))
  })

  it('dry run: the record a real send then gives (partition, key, headers, value)', async () => {
    const event = track('user-dry-1', '2024-05-01T10:00:00.000Z')
    const dry = await call(server.url, 'POST', '/admin/dry-run', { event }, admin)
    expect(dry.status).toBe(200)
    const [result] = dry.body.results as { ok: boolean; record: Record<string, unknown> }[]
    expect(result).toMatchObject({ subscription: 'tracks', matched: true, ok: true })
    expect(result.record).toMatchObject({
      topic,
      partitions: 3,
      key: { value: 'user-dry-1' },
      headers: { 'x-event': 'Order Completed' },
      timestamp: String(Date.parse('2024-05-01T10:00:00.000Z')),
      value: { format: 'json', value: event }
    })
    const sent = await call(server.url, 'POST', '/admin/send', { event }, admin)
    const delivered = (sent.body.deliveries as { data: { partition: number; offset: string } }[])[0].data
    expect(delivered.partition).toBe(result.record.partition)
    const records = await readUntil(topic, (r) => r.some((x) => x.key === 'user-dry-1'))
    const read = records.find((x) => x.key === 'user-dry-1')
    expect(read).toMatchObject({ partition: result.record.partition, offset: Number(delivered.offset) })
    expect(read?.headers).toEqual({ 'x-event': 'Order Completed' })
    expect(JSON.parse(read?.value ?? '')).toEqual(event)
  })

  it('dry run: an event that does not fit names the field, and nothing is sent', async () => {
    const dry = await call(server.url, 'POST', '/admin/dry-run', { event: track('user-bad', 'not a date') }, admin)
    const [result] = dry.body.results as { ok: boolean; error: { message: string } }[]
    expect(result).toMatchObject({ matched: true, ok: false, error: { status: 400 } })
    expect(result.error.message).toContain('timestamp')
    const other = await call(server.url, 'POST', '/admin/dry-run', { event: { type: 'identify', userId: 'u' } }, admin)
    expect(other.body.results).toEqual([{ subscription: 'tracks', matched: false }])
  })

  it('tail: streams a record sent meanwhile, and leaves no consumer group behind', async () => {
    const events: { event: string; data: Record<string, unknown> }[] = []
    const req = http.get(`${server.url}/admin/tail?topic=${topic}&last=0`, { headers: admin })
    const response = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve))
    if (response.statusCode !== 200) {
      const text = await new Promise<string>((resolve) => {
        let t = ''
        response.on('data', (c: Buffer) => (t += c.toString()))
        response.on('end', () => resolve(t))
      })
      expect({ status: response.statusCode, text }).toEqual({ status: 200, text: '' })
    }
    expect(response.headers['content-type']).toContain('text/event-stream')
    let buffer = ''
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8')
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const name = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (name && data) events.push({ event: name, data: JSON.parse(data) as Record<string, unknown> })
      }
    })
    await until(() => events.some((e) => e.event === 'ready'))
    // The reader joins its group after answering: send until the record shows up.
    await until(async () => {
      await call(server.url, 'POST', '/admin/send', { event: track('user-tail', '2024-05-01T10:00:00.000Z') }, admin)
      await until(() => events.some((e) => e.event === 'record'), 1500)
      return events.some((e) => e.event === 'record')
    }, 30000)
    const record = events.find((e) => e.event === 'record')?.data
    expect(record).toMatchObject({ topic, key: { value: 'user-tail' }, headers: { 'x-event': 'Order Completed' } })
    expect(record?.value).toMatchObject({ format: 'json', value: { userId: 'user-tail' } })
    req.destroy()
    const c = normaliseSettings(plaintextSettings() as never)
    await until(async () => (await listGroups(c, READER_GROUP_PREFIX)).length === 0, 20000, 200)
    expect(await listGroups(c, READER_GROUP_PREFIX)).toEqual([])
  })

  it('dead letters: listed with their code, replayed once after the mapping is fixed (route and CLI)', async () => {
    const poisoned = [track('user-poison', 'not a date'), track('user-poison-2', 'not a date either')]
    for (const event of poisoned) {
      const sent = await call(server.url, 'POST', '/admin/send', { event }, admin)
      expect(sent.body.ok).toBe(false)
    }
    const listed = await call(server.url, 'GET', '/admin/dead-letters', undefined, admin)
    const letters = listed.body.deadLetters as { code: string; partition: number; offset: string; message: string }[]
    expect(letters).toHaveLength(2)
    expect(letters[0]).toMatchObject({ subscription: 'tracks', status: '400', event: poisoned[0] })
    expect(letters[0].message).toContain('timestamp')
    const { code } = letters[0]
    const none = await call(server.url, 'GET', `/admin/dead-letters?code=nope`, undefined, admin)
    expect(none.body.deadLetters).toEqual([])

    // The mapping fixed in the config: the gateway restarted with it. The first dead letter by the route...
    await server.close()
    const fixed = config(topic, dlq, '$.timestamp')
    server = await startServer({ port: 0, config: fixed })
    const first = { records: [{ partition: letters[0].partition, offset: letters[0].offset }] }
    const replayed = await call(server.url, 'POST', '/admin/dead-letters/replay', first, admin)
    expect(replayed.body).toMatchObject({ ok: true, summary: { replayed: 1, alreadyReplayed: 0, failed: 0 } })
    const again = await call(server.url, 'POST', '/admin/dead-letters/replay', first, admin)
    expect(again.body).toMatchObject({ ok: true, summary: { replayed: 0, alreadyReplayed: 1 } })

    // ... every one of the code by the CLI: the second one only, once.
    const file = path.join(os.tmpdir(), `console-replay-${process.pid}.json`)
    fs.writeFileSync(file, JSON.stringify(fixed))
    try {
      const cli = await runCli(['replay', '--config', file, '--code', code, '--json'])
      expect(cli.code).toBe(0)
      const outcomes = JSON.parse(cli.stdout) as { outcome: string; offset: string }[]
      expect(outcomes.map((o) => [o.offset, o.outcome])).toEqual([
        [letters[0].offset, 'already replayed'],
        [letters[1].offset, 'replayed']
      ])
      const list = await runCli(['replay', '--config', file, '--list'])
      expect(list.stdout.split('\n').filter((l) => l.includes('replayed 20'))).toHaveLength(2)
    } finally {
      fs.rmSync(file, { force: true })
    }
    const records = await readUntil(topic, (r) => r.filter((x) => x.key?.startsWith('user-poison')).length >= 2)
    expect(records.flatMap((x) => (x.key?.startsWith('user-poison') ? [x.key] : [])).sort()).toEqual([
      'user-poison',
      'user-poison-2'
    ])
    const after = await call(server.url, 'GET', '/admin/dead-letters', undefined, admin)
    expect((after.body.deadLetters as { replayed?: unknown }[]).every((l) => l.replayed)).toBe(true)
    made.push(`${dlq}.replayed`)
  })
})
