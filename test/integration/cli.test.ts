/**
 * The CLI as users run it (a child process through tsx): a small NDJSON file and stdin through the
 * config's subscriptions in batches, the summary, the exit status, and the records read back with kcat.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { broker, createTopic, readTopic, uniqueTopic, type ReadRecord } from '../helpers/kafka'

// Child processes (tsx start-up) and read-backs take seconds; the project-level testTimeout is not applied
// when Jest runs one project's file directly.
jest.setTimeout(60000)

const root = path.resolve(__dirname, '..', '..')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function write(name: string, text: string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, text)
  return file
}

function run(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/local/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: '', KAFKA_CONFIG_FILE: '' },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin ?? '')
  })
}

async function readUntil(topic: string, count: number, timeoutMs = 15000): Promise<ReadRecord[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const records = await readTopic(topic)
    if (records.length >= count || Date.now() > deadline) return records
    await new Promise((r) => setTimeout(r, 300))
  }
}

const ndjson = (values: unknown[]): string =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n'

describe('the CLI', () => {
  let topic: string
  let config: string
  beforeAll(async () => {
    topic = await createTopic(uniqueTopic('cli'))
    config = write(
      'config.json',
      JSON.stringify({
        settings: { brokers: broker().bootstrap.plaintext, mechanism: 'none', ssl_enabled: false },
        subscriptions: [
          {
            name: 'tracks',
            subscribe: 'type = "track"',
            mapping: {
              topic: { '@path': '$.properties.topic' },
              key: { '@path': '$.userId' },
              payload: { '@path': '$.' }
            }
          }
        ]
      })
    )
  })

  it('sends a file in batches, reports sent / failed by reason / not subscribed, exits 1 on failures', async () => {
    const ok = (n: number): object => ({ type: 'track', event: 'E', userId: `u-${n}`, properties: { topic, n } })
    const file = write(
      'events.ndjson',
      ndjson([
        ok(1),
        ok(2),
        '{"type": "track", oops',
        ok(3),
        { type: 'page', userId: 'u-page', name: 'Home' },
        '',
        { type: 'track', event: 'No topic', userId: 'u-x', properties: {} },
        '[1, 2]',
        ok(4),
        ok(5)
      ])
    )
    const { code, stdout, stderr } = await run([file, '--config', config, '--batch-size', '2'])
    expect(stderr).toBe('')
    expect(code).toBe(1)
    expect(stdout).toContain('events: 9  sent: 5  failed: 3  not subscribed: 1')
    expect(stdout).toMatch(/1 × invalid JSON \(line 3\)/)
    expect(stdout).toMatch(/1 × not a Segment event .* \(line 8\)/)
    expect(stdout).toMatch(/1 × 400 .*topic.* \(line 7\)/)
    const records = await readUntil(topic, 5)
    expect(records.map((r) => r.key).sort()).toEqual(['u-1', 'u-2', 'u-3', 'u-4', 'u-5'])
    expect(JSON.parse(records.find((r) => r.key === 'u-3')?.value ?? '')).toMatchObject({
      event: 'E',
      properties: { n: 3 }
    })
  })

  it('reads stdin, prints the summary as JSON with --json, exits 0 when all were sent', async () => {
    const other = await createTopic(uniqueTopic('cli-stdin'))
    const events = [1, 2, 3].map((n) => ({ type: 'track', event: 'E', userId: `s-${n}`, properties: { topic: other } }))
    const { code, stdout } = await run(['--config', config, '--json', '--no-progress'], ndjson(events))
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ summary: { total: 3, sent: 3, failed: 0, notSubscribed: 0 } })
    expect((await readUntil(other, 3)).map((r) => r.key).sort()).toEqual(['s-1', 's-2', 's-3'])
  })

  it('draws the progress bar when asked (it goes to stderr, the summary to stdout)', async () => {
    const other = await createTopic(uniqueTopic('cli-progress'))
    const file = write('p.ndjson', ndjson([{ type: 'track', userId: 'p', properties: { topic: other } }]))
    const { code, stdout, stderr } = await run([file, '--config', config, '--progress'])
    expect(code).toBe(0)
    expect(stderr).toMatch(/100% \| 1 events \| 1 sent \| 0 failed/)
    expect(stdout).toMatch(/sent: 1/)
  })

  it('exits 2 with a clear message when the config or the file is wrong', async () => {
    const bad = write('bad.json', JSON.stringify({ settings: {}, subscriptions: [{ subscribe: 'type = "track"' }] }))
    const r1 = await run(['--config', bad])
    expect(r1.code).toBe(2)
    expect(r1.stderr).toMatch(/subscriptions\.0: missing required property 'mapping'/)
    const r2 = await run([path.join(dir, 'missing.ndjson')])
    expect(r2.code).toBe(2)
    expect(r2.stderr).toMatch(/cannot read .*missing\.ndjson/)
    const r3 = await run(['--batch-size', '0'])
    expect(r3.code).not.toBe(0)
    expect(r3.stderr).toMatch(/batch-size/)
  })
})
