/** `npm run registry:start|stop|status`: the command-line face of ./registry.ts. */
import * as path from 'node:path'
import { JavaNotFoundError } from './java'
import { layout, RegistryError, start, status, stop } from './registry'

async function main(command: string | undefined): Promise<void> {
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
    default:
      console.error('usage: registry start | stop | status')
      process.exitCode = 2
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof RegistryError || error instanceof JavaNotFoundError ? error.message : error)
  process.exitCode = 1
})
