import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { missingTools } from '../helpers/prerequisites'

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })))

/** A PATH holding only `commands` (empty executables). */
function pathWith(commands: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prereq-'))
  dirs.push(dir)
  for (const c of commands) fs.writeFileSync(path.join(dir, c), '#!/bin/sh\n', { mode: 0o755 })
  return dir
}

describe('tools the integration tests need', () => {
  it('a machine without kcat gets one sentence naming it and its package', () => {
    const PATH = pathWith(['java', 'javac', 'openssl', 'mvn'])
    expect(missingTools({ PATH })).toBe(
      'The tests need kcat, not found on PATH: install it (Debian: apt-get install -y kcat).'
    )
  })

  it('every missing tool in the same sentence, each package once', () => {
    expect(missingTools({ PATH: '/nonexistent' })).toBe(
      'The tests need java, javac, openssl, kcat and mvn, not found on PATH: install them ' +
        '(Debian: apt-get install -y openjdk-17-jdk-headless openssl kcat maven).'
    )
  })

  it('Maven only while Kafka’s jars are not fetched yet; a non-executable file does not count', () => {
    const PATH = pathWith(['java', 'javac', 'openssl'])
    fs.writeFileSync(path.join(PATH, 'kcat'), '', { mode: 0o644 })
    expect(missingTools({ PATH }, false)).toMatch(/^The tests need kcat,/)
    fs.chmodSync(path.join(PATH, 'kcat'), 0o755)
    expect(missingTools({ PATH }, false)).toBeUndefined()
  })

  it('this machine has them all', () => {
    expect(missingTools()).toBeUndefined()
  })
})
