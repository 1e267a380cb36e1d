/**
 * `npm run registry:start|stop|status`: the command-line face of ./registry.ts; `npm run registry:decode
 * -- --topic T [--key-format F] [--value-format F]` reads a topic of the project's broker back with
 * Confluent's Python deserializers (./decode.py), as the read-only registry user.
 */
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { readInfo as readBrokerInfo } from '../broker/broker'
import { JavaNotFoundError } from './java'
import { DECODER, ensureVenv } from './python'
import { layout, readInfo, RegistryError, start, status, stop } from './registry'

async function main(command: string | undefined, args: string[]): Promise<void> {
  switch (command) {
    case 'start': {
      const { info, started } = await start()
      console.log(`${started ? 'started' : 'already running'}: Apicurio Registry pid ${info.pid}`)
      console.log(`  url        ${info.url}`)
      console.log(`  https url  ${info.httpsUrl} (CA ${path.relative(process.cwd(), info.ca)})`)
      console.log(
        `  users      ${info.users.producer.username} (may register), ${info.users.reader.username} (read only)`
      )
      console.log(`  facts for clients (users, passwords, CA): ${path.relative(process.cwd(), layout().infoFile)}`)
      return
    }
    case 'stop':
      console.log((await stop()) ? 'stopped' : 'not running')
      return
    case 'status': {
      const s = await status()
      console.log(s.running ? `running: pid ${s.pid}, ${s.ready ? 'ready' : 'not ready'}, ${s.url}` : 'not running')
      process.exitCode = s.running && s.ready ? 0 : 1
      return
    }
    case 'decode': {
      const info = readInfo()
      const python = ensureVenv()
      const reader = info.users.reader
      const result = spawnSync(
        python,
        [DECODER, '--bootstrap', readBrokerInfo().bootstrap.plaintext, '--registry', info.url, ...args],
        { stdio: 'inherit', env: { ...process.env, REGISTRY_BASIC_AUTH: `${reader.username}:${reader.password}` } }
      )
      process.exitCode = result.status ?? 1
      return
    }
    default:
      console.error(
        'usage: registry start | stop | status | decode --topic T [--key-format F] [--value-format F] [--offset N | --last N]'
      )
      process.exitCode = 2
  }
}

main(process.argv[2], process.argv.slice(3)).catch((error: unknown) => {
  console.error(error instanceof RegistryError || error instanceof JavaNotFoundError ? error.message : error)
  process.exitCode = 1
})
