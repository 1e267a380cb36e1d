/**
 * The README's quick start runs as written, in order, against the project's broker: every block marked
 * `<!-- quickstart: ... -->` is extracted and run. `server` blocks start the gateway (the previous one is
 * stopped first, as Ctrl+C would), `run` blocks run in bash and their output must show what the `# ...`
 * comment after each command says (up to a `…`), `file X` blocks are saved, and `node X` / `python X`
 * blocks are saved and run. Only what differs on a test machine is replaced: the broker's port (this
 * checkout's), the gateway's port (any free one), where the files go (.kafka/quickstart/, git-ignored),
 * `npm ci` (already done) and `python3` (the venv with Segment's Python SDK).
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { broker } from '../helpers/kafka'
import { ensureVenv } from '../helpers/python-venv'
import { ROOT, spawnServe, type ServeProcess } from '../helpers/serve-process'

jest.setTimeout(300000)

interface Block {
  kind: string
  text: string
}

/** The marked blocks of the README, in order. */
export function quickstartBlocks(readme: string): Block[] {
  return [...readme.matchAll(/<!-- quickstart: (.+?) -->\s*\n```[a-z]*\n([\s\S]*?)```/g)].map((m) => ({
    kind: m[1].trim(),
    text: m[2]
  }))
}

/** What each `# ...` comment right after a command expects to see in the output (up to a `…`). */
function expectations(block: string): string[] {
  const out: string[] = []
  for (const line of block.split('\n')) {
    const m = /^# (?! {2})(.*)$/.exec(line)
    if (m) out.push(m[1].split('…')[0].replace(/\s+/g, ''))
  }
  return out.filter(Boolean)
}

function bash(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-e', '-c', command], { cwd: ROOT, timeout: 120000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command}\n${stdout}\n${stderr}`)) : resolve(stdout)
    )
  })
}

const DIR = path.join(ROOT, '.kafka', 'quickstart')
let server: ServeProcess | undefined
afterAll(async () => {
  server?.killGroup()
  await server?.exited
})

it("runs the README's quick start as written", async () => {
  const blocks = quickstartBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
  expect(blocks.map((b) => b.kind)).toEqual(
    expect.arrayContaining(['server', 'run', 'file kafka.json', 'node send.js', 'python send.py'])
  )
  fs.rmSync(DIR, { recursive: true, force: true })
  fs.mkdirSync(DIR, { recursive: true })
  const files = new Set(
    blocks.filter((b) => / \S+$/.test(b.kind) && b.kind !== 'server').map((b) => b.kind.split(' ')[1])
  )
  let url = ''
  /** The block as this machine needs it: this checkout's broker, the gateway's port, the files' folder. */
  const adapt = (text: string): string => {
    let t = text.replace(/127\.0\.0\.1:19092/g, broker().bootstrap.plaintext)
    if (url) t = t.replace(/http:\/\/127\.0\.0\.1:3000/g, url)
    for (const file of files)
      t = t.replace(new RegExp(`(?<![\\w./-])${file.replace('.', '\\.')}(?![\\w])`, 'g'), path.join(DIR, file))
    return t
  }
  const ran: string[] = []
  for (const block of blocks) {
    const [kind, file] = block.kind.split(' ')
    if (kind === 'server') {
      if (server) {
        server.killGroup()
        await server.exited
      }
      const command = adapt(block.text)
        .replace(/npm ci && /, '')
        .trim()
      server = spawnServe('bash', ['-c', command])
      url = (await server.printed(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 120000))[1]
    } else if (kind === 'file') {
      fs.writeFileSync(path.join(DIR, file), adapt(block.text))
    } else if (kind === 'run') {
      const output = (await bash(adapt(block.text))).replace(/\s+/g, '')
      for (const expected of expectations(block.text)) expect(output).toContain(expected)
    } else if (kind === 'node' || kind === 'python') {
      fs.writeFileSync(path.join(DIR, file), adapt(block.text))
      const interpreter = kind === 'node' ? process.execPath : await ensureVenv()
      expect(await bash(`${interpreter} ${path.join(DIR, file)}`)).toContain('sent')
    } else throw new Error(`unknown quickstart block kind: ${block.kind}`)
    ran.push(block.kind)
  }
  expect(ran.length).toBe(blocks.length)
  // The SDKs' and the CLI's events reached Kafka through the config's subscriptions.
  const orders = await bash(`kcat -C -b ${broker().bootstrap.plaintext} -t orders -o beginning -e -f '%k\\n'`)
  expect(orders.split('\n')).toEqual(expect.arrayContaining(['o-1002', 'o-1003', 'o-1004', 'o-2001', 'o-2002']))
})
