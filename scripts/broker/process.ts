/**
 * Process facts every harness (broker, cluster, registry, identity provider) reads the same way: the
 * pid a harness wrote, and whether a port on loopback answers. No imports of the harnesses themselves,
 * so any of them can use it without an import cycle.
 */
import * as fs from 'node:fs'
import * as net from 'node:net'

export function readPid(l: { pidFile: string }): number | undefined {
  try {
    const pid = Number(fs.readFileSync(l.pidFile, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
