/** Finding a Java 21+ for the registry: by its specification version, in the documented order. */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { findJava, JavaNotFoundError, specificationVersion } from '../../scripts/registry/java'

/** A fake JDK whose `java` prints the given specification version, as `-XshowSettings:properties` does. */
function fakeJdk(root: string, name: string, spec: string): string {
  const home = path.join(root, name)
  fs.mkdirSync(path.join(home, 'bin'), { recursive: true })
  const java = path.join(home, 'bin', 'java')
  fs.writeFileSync(java, `#!/bin/sh\necho "    java.specification.version = ${spec}" >&2\n`, { mode: 0o755 })
  return home
}

let root: string
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'java-find-'))
  fakeJdk(path.join(root, 'jvm'), 'java-17', '17')
  fakeJdk(path.join(root, 'jvm'), 'temurin-25', '25')
  fakeJdk(root, 'old', '1.8')
  fakeJdk(root, 'jdk21', '21')
  fs.mkdirSync(path.join(root, 'empty'))
})
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const noPath = (): NodeJS.ProcessEnv => ({ PATH: path.join(root, 'empty') })

test('reads java.specification.version (1.8 counts as 8)', () => {
  expect(specificationVersion(path.join(root, 'old', 'bin', 'java'))).toBe(8)
  expect(specificationVersion(path.join(root, 'jdk21', 'bin', 'java'))).toBe(21)
  expect(specificationVersion(path.join(root, 'missing', 'bin', 'java'))).toBeUndefined()
})

test('JAVA21_HOME first, then JAVA_HOME, then the JVM folder', () => {
  const jvm = path.join(root, 'jvm')
  expect(findJava({ ...noPath(), JAVA21_HOME: path.join(root, 'jdk21') }, 21, jvm)).toMatchObject({
    version: 21,
    from: 'JAVA21_HOME'
  })
  expect(findJava({ ...noPath(), JAVA_HOME: path.join(root, 'old') }, 21, jvm)).toMatchObject({
    version: 25,
    from: jvm
  })
  expect(findJava({ ...noPath(), JAVA_HOME_21_X64: path.join(root, 'jdk21') }, 21, jvm)).toMatchObject({
    from: 'JAVA_HOME_21_X64'
  })
})

test('none new enough: one sentence saying what to install, naming what was tried', () => {
  const run = (): unknown => findJava({ ...noPath(), JAVA_HOME: path.join(root, 'old') }, 21, path.join(root, 'empty'))
  expect(run).toThrow(JavaNotFoundError)
  expect(run).toThrow(/tried .*old\/bin\/java \(8\).*install a JDK 21\+.*JAVA21_HOME/)
})
