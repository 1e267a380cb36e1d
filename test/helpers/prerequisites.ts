/**
 * The tools the integration tests need on this machine, looked up on PATH before the broker starts:
 * if any is missing, the run stops with one sentence saying what to install, instead of every test
 * failing on its own.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

interface Tool {
  command: string
  /** The Debian package that provides it. */
  apt: string
}

const TOOLS: Tool[] = [
  { command: 'java', apt: 'openjdk-17-jdk-headless' },
  { command: 'javac', apt: 'openjdk-17-jdk-headless' },
  { command: 'openssl', apt: 'openssl' },
  { command: 'kcat', apt: 'kcat' }
]
/** Only needed to fetch Kafka's jars the first time. */
const MAVEN: Tool = { command: 'mvn', apt: 'maven' }

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, command), fs.constants.X_OK)
        return fs.statSync(path.join(dir, command)).isFile()
      } catch {
        return false
      }
    })
}

/** One sentence naming every missing tool and how to install it, or undefined when none is missing. */
export function missingTools(env: NodeJS.ProcessEnv = process.env, needMaven = true): string | undefined {
  const missing = [...TOOLS, ...(needMaven ? [MAVEN] : [])].filter((t) => !onPath(t.command, env))
  if (!missing.length) return undefined
  const names = missing.map((t) => t.command)
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
  const packages = [...new Set(missing.map((t) => t.apt))].join(' ')
  return `The tests need ${list}, not found on PATH: install ${names.length === 1 ? 'it' : 'them'} (Debian: apt-get install -y ${packages}).`
}
