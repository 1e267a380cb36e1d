/**
 * The start-up banner tells the truth: its curl and kcat commands, built from the config in use (write key,
 * listener, credentials, CA, topics), work when pasted into a shell, and print no secret themselves.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { banner } from '../../src/local/banner'
import { loadConfigFile, type ConfigFile } from '../../src/local/config-file'
import { startServer } from '../../src/local/server'
import { broker, createTopic, pem, uniqueTopic } from '../helpers/kafka'

jest.setTimeout(120000)

const WRITE_KEY = 'wk-banner-0123456789'

function bash(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', command], { timeout: 60000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command}\n${stderr}`)) : resolve(stdout)
    )
  })
}

/** Writes the config to a file, starts the server from it, and returns the banner's commands. */
async function commandsFor(
  config: ConfigFile
): Promise<{ text: string; curl: string; kcat: string; close: () => Promise<void> }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'banner-')), 'kafka.json')
  fs.writeFileSync(file, JSON.stringify(config))
  const server = await startServer({ port: 0, config: loadConfigFile(file) })
  const text = banner({
    url: server.url,
    routes: server.routes,
    config: server.config,
    brokersNote: 'test',
    configFile: file
  })
  const line = (prefix: string): string =>
    text
      .split('\n')
      .find((l) => l.startsWith(`  ${prefix} `))
      ?.trim() ?? ''
  return { text, curl: line('curl'), kcat: line('kcat'), close: () => server.close() }
}

const subscription = (topic: string): ConfigFile['subscriptions'] => [
  { name: 'orders', subscribe: 'type = "track"', partnerAction: 'send', mapping: { topic } }
]

it.each([
  [
    'a plaintext listener and a write key',
    (): ConfigFile['settings'] => ({ brokers: broker().bootstrap.plaintext, mechanism: 'none', ssl_enabled: false })
  ],
  [
    'SASL_SSL with PLAIN, a password and a private CA',
    (): ConfigFile['settings'] => ({
      brokers: broker().bootstrap.saslSsl,
      mechanism: 'plain',
      username: 'alice',
      password: 'alice-secret',
      ssl_enabled: true,
      ssl_ca: pem('ca')
    })
  ]
])('with %s, the printed curl and kcat work when pasted', async (_name, settings) => {
  const topic = await createTopic(uniqueTopic('banner'))
  const { text, curl, kcat, close } = await commandsFor({
    settings: settings(),
    subscriptions: subscription(topic),
    server: { writeKeys: [{ name: 'banner', key: WRITE_KEY }] }
  })
  try {
    expect(text).not.toContain(WRITE_KEY)
    expect(text).not.toContain('alice-secret')
    expect(text).toContain('Ctrl+C stops the server.')
    const answer = JSON.parse(await bash(curl)) as { ok: boolean; deliveries: { data: { topic: string } }[] }
    expect(answer).toMatchObject({ ok: true, deliveries: [{ data: { topic } }] })
    expect(await bash(kcat)).toMatch(/^user-42 \{"type":"track","event":"Order Completed"/m)
  } finally {
    await close()
  }
})
