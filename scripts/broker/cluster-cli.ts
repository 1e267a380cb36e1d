/** `npm run cluster:start|stop|status|reset`: the command-line face of ./cluster.ts. */
import * as path from 'node:path'
import { clusterLayout } from './cluster-config'
import { clusterStatus, resetCluster, startCluster, stopCluster } from './cluster'
import { BrokerError } from './toolchain'

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'start': {
      const { info, started } = await startCluster()
      console.log(started.length ? `started node(s) ${started.join(', ')}` : 'already running')
      for (const n of info.nodes)
        console.log(`  node ${n.id}  pid ${n.pid}  PLAINTEXT ${n.bootstrap.plaintext}  SASL_SSL ${n.bootstrap.saslSsl}`)
      console.log(`  bootstrap  ${info.bootstrap.plaintext}`)
      console.log(`  facts for clients (users, PKI paths): ${path.relative(process.cwd(), clusterLayout().infoFile)}`)
      return
    }
    case 'stop': {
      const stopped = await stopCluster()
      console.log(stopped.length ? `stopped node(s) ${stopped.join(', ')}` : 'not running')
      return
    }
    case 'reset':
      await resetCluster()
      console.log('stopped (if running) and wiped the cluster data')
      return
    case 'status': {
      const s = await clusterStatus()
      for (const n of s.nodes) {
        const state = n.running
          ? n.paused
            ? `paused (SIGSTOP): pid ${n.pid}`
            : `running: pid ${n.pid}`
          : 'not running'
        const quorum = n.quorum
          ? `quorum leader ${n.quorum.leaderId}, epoch ${n.quorum.leaderEpoch}`
          : 'no quorum state'
        console.log(`node ${n.id}: ${state}; ${quorum}`)
        for (const l of n.listeners)
          console.log(`  ${l.name.padEnd(10)} ${l.port}  ${l.answers ? 'answers' : 'does not answer'}`)
      }
      console.log(`serving brokers (metadata): ${s.serving.length ? s.serving.join(', ') : 'none'}`)
      process.exitCode = s.serving.length === s.nodes.length ? 0 : 1
      return
    }
    default:
      console.error('usage: cluster start | stop | status | reset')
      process.exitCode = 2
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof BrokerError ? error.message : error)
  process.exitCode = 1
})
