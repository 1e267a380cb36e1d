/**
 * Finds a Java runtime of at least a given version, for servers that need a newer Java than the
 * broker (Keycloak 26 needs 21). Looked for, in order: `$IDP_JAVA_HOME`, `$JAVA_HOME`, the `java` on
 * the PATH, then every folder under /usr/lib/jvm (newest first). Each candidate is asked for its
 * `java.specification.version`, so a folder name or a symlink never decides on its own.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface JavaRuntime {
  /** The folder to pass as JAVA_HOME (undefined for the `java` on the PATH). */
  home?: string
  bin: string
  version: number
}

const JVM_FOLDERS = '/usr/lib/jvm'

/** The major version a `java` binary reports (`java.specification.version`), or undefined. */
export function javaVersion(bin: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const result = spawnSync(bin, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', timeout: 20_000, env })
  if (result.error || result.status !== 0) return undefined
  const spec = /^\s*java\.specification\.version = (\S+)/m.exec(result.stderr)?.[1]
  if (!spec) return undefined
  // Java 8 and older say 1.8, 1.7, ...
  const major = spec.startsWith('1.') ? Number(spec.slice(2)) : Number(spec)
  return Number.isInteger(major) ? major : undefined
}

function candidates(env: NodeJS.ProcessEnv, jvmFolders: string): { home?: string; bin: string }[] {
  const list: { home?: string; bin: string }[] = []
  for (const home of [env.IDP_JAVA_HOME, env.JAVA_HOME])
    if (home) list.push({ home, bin: path.join(home, 'bin', 'java') })
  list.push({ bin: 'java' })
  let folders: string[] = []
  try {
    folders = fs.readdirSync(jvmFolders)
  } catch {
    folders = []
  }
  // Newest-looking first (temurin-25 before java-17): only an ordering, the version is still asked.
  const number = (name: string): number => Number(/(\d+)/.exec(name)?.[1] ?? 0)
  for (const name of folders.sort((a, b) => number(b) - number(a))) {
    const home = path.join(jvmFolders, name)
    list.push({ home, bin: path.join(home, 'bin', 'java') })
  }
  return list
}

/** The first Java runtime of at least `minimum`; undefined when there is none. */
export function findJava(
  minimum: number,
  env: NodeJS.ProcessEnv = process.env,
  jvmFolders = JVM_FOLDERS
): JavaRuntime | undefined {
  const seen = new Set<string>()
  for (const c of candidates(env, jvmFolders)) {
    const key = c.bin === 'java' ? 'java' : fs.existsSync(c.bin) ? fs.realpathSync(c.bin) : c.bin
    if (seen.has(key)) continue
    seen.add(key)
    if (c.bin !== 'java' && !fs.existsSync(c.bin)) continue
    const version = javaVersion(c.bin, env)
    if (version !== undefined && version >= minimum) return { ...c, version }
  }
  return undefined
}
