/**
 * Finds a Java 21 or newer for the servers that need it (Apicurio Registry 3 is Java 21 bytecode),
 * the way a careful script would: `JAVA21_HOME`, then `JAVA_HOME`, then the `JAVA_HOME_<n>_X64`
 * variables CI runners set, then every JDK under /usr/lib/jvm, then `java` on the PATH. Each candidate
 * is asked for its `java.specification.version`: folder names and `java -version` banners lie.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

export const MIN_JAVA = 21
const JVM_DIR = '/usr/lib/jvm'

export interface FoundJava {
  /** Absolute path of the `java` binary, or `java` when it came from the PATH. */
  java: string
  version: number
  /** Where it was found, for messages. */
  from: string
}

export class JavaNotFoundError extends Error {}

/** The `java.specification.version` of a java binary ("1.8" counts as 8), or undefined when it does not run. */
export function specificationVersion(java: string): number | undefined {
  const result = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', timeout: 30_000 })
  if (result.error || result.status !== 0) return undefined
  const spec = /java\.specification\.version = (\S+)/.exec(result.stderr)?.[1]
  if (!spec) return undefined
  const parts = spec.split('.').map(Number)
  const major = parts[0] === 1 ? parts[1] : parts[0]
  return Number.isInteger(major) ? major : undefined
}

function candidates(env: NodeJS.ProcessEnv, jvmDir: string): { java: string; from: string }[] {
  const list: { java: string; from: string }[] = []
  const home = (dir: string | undefined, from: string): void => {
    if (dir) list.push({ java: path.join(dir, 'bin', 'java'), from })
  }
  home(env.JAVA21_HOME, 'JAVA21_HOME')
  home(env.JAVA_HOME, 'JAVA_HOME')
  for (const name of Object.keys(env)
    .filter((n) => /^JAVA_HOME_\d+_X64$/.test(n))
    .sort())
    home(env[name], name)
  let jvms: string[] = []
  try {
    jvms = fs.readdirSync(jvmDir).sort()
  } catch {
    // no JVM folder on this system
  }
  for (const dir of jvms) home(path.join(jvmDir, dir), jvmDir)
  list.push({ java: 'java', from: 'PATH' })
  return list
}

/** The first Java ≥ `min` in the order above; one sentence saying what to install when there is none. */
export function findJava(env: NodeJS.ProcessEnv = process.env, min = MIN_JAVA, jvmDir = JVM_DIR): FoundJava {
  const seen = new Set<string>()
  const tried: string[] = []
  for (const { java, from } of candidates(env, jvmDir)) {
    const real = java === 'java' ? java : safeRealpath(java)
    if (!real || seen.has(real)) continue
    seen.add(real)
    const version = specificationVersion(java)
    tried.push(`${java}${version ? ` (${version})` : ''}`)
    if (version !== undefined && version >= min) return { java, version, from }
  }
  throw new JavaNotFoundError(
    `Java ${min} or newer is needed to run Apicurio Registry and none was found (tried ${tried.join(', ') || 'nothing'}): ` +
      `install a JDK ${min}+ (e.g. \`apt-get install -y openjdk-${min}-jre-headless\` where the distribution has it, or Temurin ${min} from Adoptium) and point JAVA21_HOME at it.`
  )
}

function safeRealpath(file: string): string | undefined {
  try {
    return fs.realpathSync(file)
  } catch {
    return undefined
  }
}
