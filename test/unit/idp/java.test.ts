import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { findJava } from '../../../scripts/idp/java'

/** A folder with bin/java that reports `version` as its java.specification.version. */
function fakeJdk(root: string, name: string, version: string): string {
  const home = path.join(root, name)
  fs.mkdirSync(path.join(home, 'bin'), { recursive: true })
  const script = `#!/bin/sh\necho "Property settings:" >&2\necho "    java.specification.version = ${version}" >&2\n`
  fs.writeFileSync(path.join(home, 'bin', 'java'), script, { mode: 0o755 })
  return home
}

describe('finding a Java runtime for Keycloak', () => {
  let root: string
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'java-find-'))
  })
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

  it('asks each candidate its version and takes the first new enough, in order', () => {
    const old = fakeJdk(root, 'idp-17', '17')
    const newer = fakeJdk(root, 'home-22', '22')
    const env = { PATH: '/nonexistent', IDP_JAVA_HOME: old, JAVA_HOME: newer }
    expect(findJava(21, env, path.join(root, 'none'))).toEqual({
      home: newer,
      bin: path.join(newer, 'bin', 'java'),
      version: 22
    })
  })

  it('looks through the JVM folders, newest-looking first, when the variables do not help', () => {
    const jvm = path.join(root, 'jvm')
    fakeJdk(jvm, 'java-17-openjdk', '17')
    fakeJdk(jvm, 'java-1.8.0-openjdk', '1.8')
    const temurin = fakeJdk(jvm, 'temurin-25-jdk', '25')
    expect(findJava(21, { PATH: '/nonexistent' }, jvm)?.home).toBe(temurin)
  })

  it('finds none when every candidate is too old (a folder name alone never decides)', () => {
    const jvm = path.join(root, 'jvm')
    fakeJdk(jvm, 'temurin-25-but-really-11', '11')
    expect(findJava(21, { PATH: '/nonexistent' }, jvm)).toBeUndefined()
  })
})
