/**
 * `npm start`: the local server (src/local/serve.ts). With no configuration it starts the project's own
 * broker (the same code as `npm run broker:start`); that part lives here because the broker harness is
 * not part of the published package.
 */
import { serve } from '../src/local/serve'
import { start as startBroker } from './broker/broker'

serve(process.argv, async () => {
  const { info, started } = await startBroker()
  return {
    bootstrap: info.bootstrap.plaintext,
    note: `the project's broker, ${started ? 'started' : 'already running'}, pid ${info.pid}; npm run broker:stop stops it`
  }
}).catch((error: unknown) => {
  process.stderr.write(`cannot start the server: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
