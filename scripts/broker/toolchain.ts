/**
 * What the test broker needs before it can start: Java, openssl, Kafka's jars (fetched with Maven from
 * Maven Central) and the compiled token validator of its AWS IAM listener. One clear sentence names
 * whatever tool is missing.
 */
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

export class BrokerError extends Error {}

const HARNESS = __dirname

/** One clear sentence per missing tool, before anything else is tried. */
export function checkPrerequisites(env: NodeJS.ProcessEnv = process.env): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8', env })
  if (java.error)
    throw new BrokerError(
      'Java 17 or newer is required to run the test broker: install it (apt-get install -y openjdk-17-jdk-headless).'
    )
  const version = /version "(\d+)/.exec(java.stderr)?.[1]
  if (version && Number(version) < 17)
    throw new BrokerError(
      `Java ${version} is too old for Kafka 4: install Java 17 or newer (apt-get install -y openjdk-17-jdk-headless).`
    )
  if (spawnSync('openssl', ['version'], { env }).error)
    throw new BrokerError(
      'openssl is required to create the test broker certificates: install it (apt-get install -y openssl).'
    )
}

export function ensureJars(libs: string): void {
  if (fs.existsSync(path.join(libs, '.complete'))) return
  if (spawnSync('mvn', ['-v']).error)
    throw new BrokerError(
      'Maven is required to fetch the Kafka jars for the test broker: install it (apt-get install -y maven).'
    )
  fs.rmSync(libs, { recursive: true, force: true })
  process.stderr.write(`[broker] fetching Kafka jars from Maven Central into ${libs} ...\n`)
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(HARNESS, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`
    ],
    { encoding: 'utf8' }
  )
  if (result.status !== 0)
    throw new BrokerError(
      `mvn could not fetch the Kafka jars:\n${(result.stdout + result.stderr).trim().split('\n').slice(-20).join('\n')}`
    )
  fs.writeFileSync(path.join(libs, '.complete'), new Date().toISOString())
}

const OAUTH_SOURCES = path.join(HARNESS, 'oauth')
export const VALIDATOR_CLASS = 'harness.MskIamValidator'

/**
 * Compiles the broker's own classes in ./oauth (the IAM listener's token validator, the OIDC listener's
 * session log) against the Kafka jars, again only when a source changes.
 */
export function ensureValidator(libs: string, classes: string): void {
  const sources = fs
    .readdirSync(OAUTH_SOURCES)
    .filter((f) => f.endsWith('.java'))
    .sort()
    .map((f) => path.join(OAUTH_SOURCES, f))
  const digest = createHash('sha256')
  for (const source of sources) digest.update(path.basename(source)).update(fs.readFileSync(source))
  const hash = digest.digest('hex')
  const stamp = path.join(classes, '.source-sha256')
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return
  if (spawnSync('javac', ['-version']).error)
    throw new BrokerError(
      'javac (a JDK) is required to build the IAM listener of the test broker: install it (apt-get install -y openjdk-17-jdk-headless).'
    )
  // Built aside and moved into place, so a broker starting meanwhile never sees half a build.
  const building = `${classes}.${process.pid}`
  fs.rmSync(building, { recursive: true, force: true })
  const result = spawnSync('javac', ['-d', building, '-cp', path.join(libs, '*'), ...sources], {
    encoding: 'utf8'
  })
  if (result.status !== 0) throw new BrokerError(`javac could not compile ${OAUTH_SOURCES}:\n${result.stderr}`)
  fs.writeFileSync(path.join(building, '.source-sha256'), hash)
  fs.rmSync(classes, { recursive: true, force: true })
  try {
    fs.renameSync(building, classes)
  } catch (error) {
    // Another start built the same source at the same moment: keep its build.
    fs.rmSync(building, { recursive: true, force: true })
    if (!fs.existsSync(stamp)) throw error
  }
}
