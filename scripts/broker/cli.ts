/** `npm run broker:start|stop|status|reset`: the command-line face of ./broker.ts. */
import { BrokerError, reset, start, status, stop } from './broker'

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'start': {
      const { info, started } = await start()
      console.log(`${started ? 'started' : 'already running'}: Kafka broker pid ${info.pid}`)
      for (const [name, address] of Object.entries(info.bootstrap)) console.log(`  ${name.padEnd(9)} ${address}`)
      console.log(
        `  ${'oidc'.padEnd(9)} ${info.oidc?.bootstrap ?? 'not opened (the identity provider was not running: npm run idp:start first)'}`
      )
      console.log(
        `  facts for clients (users, PKI paths): ${require('node:path').relative(process.cwd(), info.logFile.replace(/logs\/kafka\.out$/, 'broker.json'))}`
      )
      return
    }
    case 'stop':
      console.log((await stop()) ? 'stopped' : 'not running')
      return
    case 'reset':
      await reset()
      console.log('stopped (if running) and wiped the broker data')
      return
    case 'status': {
      const s = await status()
      console.log(s.running ? `running: pid ${s.pid}` : 'not running')
      for (const l of s.listeners)
        console.log(`  ${l.name.padEnd(10)} ${l.port}  ${l.answers ? 'answers' : 'does not answer'}`)
      process.exitCode = s.running ? 0 : 1
      return
    }
    default:
      console.error('usage: broker start | stop | status | reset')
      process.exitCode = 2
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof BrokerError ? error.message : error)
  process.exitCode = 1
})
