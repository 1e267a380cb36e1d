/**
 * The gateway measured as users run it: the worker process runs the gateway (the local server, port 0,
 * the bench config's subscription) and nothing else, and a load generator in a process of its own
 * (load-generator.ts) posts pre-serialised `/v1/batch` or `/v1/track` requests to it. Events/s and
 * latency come from the generator; CPU per event is the gateway process's own (`process.cpuUsage`
 * over the measured phase), so it compares with the direct `onBatch` / `onEvent` rows' client CPU.
 */
import { fork, type ChildProcess } from 'node:child_process'
import * as path from 'node:path'
import { startGateway, WRITE_KEY } from './gateway-targets'
import type { LoadMessage, LoadSpec } from './load-generator'

export interface GatewayRun {
  events: number
  seconds: number
  eventsPerSec: number
  p50Ms: number
  p99Ms: number
  cpuUsPerEvent: number
  written: number
}

interface Profiler {
  stop(file: string): Promise<void>
}

function nextMessage(child: ChildProcess): Promise<LoadMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`the load generator exited with ${code}`))
    child.once('exit', onExit)
    child.once('message', (message) => {
      child.off('exit', onExit)
      const m = message as LoadMessage
      if (m.type === 'failed') reject(new Error(`the load generator failed: ${m.message}`))
      else resolve(m)
    })
  })
}

export async function measureGateway(
  options: { brokers: string; topic: string; cpuProfile?: string },
  load: Omit<LoadSpec, 'url' | 'writeKey'>,
  startProfiler: () => Promise<Profiler>,
  hooks: { warm(): void; measured(): void }
): Promise<GatewayRun> {
  const server = await startGateway(options)
  const spec: LoadSpec = { ...load, url: server.url, writeKey: WRITE_KEY }
  // The generator runs plain node with tsx's loader, like this process (no --expose-gc, no profiler).
  const child = fork(path.join(__dirname, 'load-generator.ts'), [JSON.stringify(spec)], {
    execArgv: process.execArgv.filter((a) => a !== '--expose-gc'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  try {
    const warm = await nextMessage(child)
    if (warm.type !== 'warm') throw new Error(`unexpected message ${warm.type}`)
    global.gc?.()
    hooks.warm()
    const profiler = options.cpuProfile ? await startProfiler() : undefined
    const cpuBefore = process.cpuUsage()
    const finished = nextMessage(child)
    child.send({ type: 'go' })
    const done = await finished
    const cpu = process.cpuUsage(cpuBefore)
    hooks.measured()
    if (profiler && options.cpuProfile) await profiler.stop(options.cpuProfile)
    if (done.type !== 'done') throw new Error(`unexpected message ${done.type}`)
    return {
      events: done.events,
      seconds: Math.round(done.seconds * 1000) / 1000,
      eventsPerSec: Math.round(done.events / done.seconds),
      p50Ms: done.p50Ms,
      p99Ms: done.p99Ms,
      cpuUsPerEvent: Math.round(((cpu.user + cpu.system) / done.events) * 10) / 10,
      written: done.written
    }
  } finally {
    if (child.exitCode === null) child.kill()
    await server.close()
  }
}
