/** `npm run idp:start|stop|status`: the command-line face of ./idp.ts. */
import * as path from 'node:path'
import { IdpError, layout, start, status, stop } from './idp'

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'start': {
      const { info, started } = await start()
      console.log(`${started ? 'started' : 'already running'}: Keycloak ${info.version} pid ${info.pid}`)
      console.log(`  issuer          ${info.issuer}`)
      console.log(`  token endpoint  ${info.tokenEndpoint}`)
      console.log(
        `  clients         ${info.clients.map((c) => `${c.clientId}${c.access ? '' : ' (no access)'}`).join(', ')}`
      )
      console.log(`  facts for clients (ids, secrets): ${path.relative(process.cwd(), layout().infoFile)}`)
      return
    }
    case 'stop':
      console.log((await stop()) ? 'stopped' : 'not running')
      return
    case 'status': {
      const s = await status()
      console.log(s.running ? `running: pid ${s.pid}, ${s.ready ? 'ready' : 'not ready'}` : 'not running')
      console.log(`  http ${s.ports.http}, management ${s.ports.management}`)
      process.exitCode = s.ready ? 0 : 1
      return
    }
    default:
      console.error('usage: idp start | stop | status')
      process.exitCode = 2
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof IdpError ? error.message : error)
  process.exitCode = 1
})
