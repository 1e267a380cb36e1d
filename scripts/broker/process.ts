/**
 * Process facts and acts every harness (broker, cluster, registry, identity provider) does the same way:
 * the pid a harness wrote, whether a port on loopback answers, and stopping a process (or a process
 * group) for good. No imports of the harnesses themselves, so any of them can use it without an import
 * cycle.
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Whether a process (or, for a negative target, a process group) exists, a zombie included. */
export function exists(target: number): boolean {
  try {
    process.kill(target, 0)
    return true
  } catch {
    return false
  }
}

/**
 * SIGTERM (a clean shutdown), then SIGKILL once `timeoutMs` has passed with `running()` still true;
 * resolves once the target is gone, and reaped: a child of this process lingers as a zombie until Node
 * reaps it, and "no process left behind" means none at all. A negative target is a process group (a
 * launcher script and its Java child).
 */
export async function terminate(target: number, running: () => boolean, timeoutMs: number): Promise<void> {
  process.kill(target, 'SIGTERM')
  const deadline = Date.now() + timeoutMs
  while (running() && Date.now() < deadline) await sleep(200)
  if (running()) {
    process.kill(target, 'SIGKILL')
    while (running()) await sleep(100)
  }
  await reaped(target)
}

/** Waits (briefly, 2 s at most) until an exited process's pid is gone too, i.e. reaped. */
export async function reaped(target: number): Promise<void> {
  for (let i = 0; i < 100 && exists(target); i++) await sleep(20)
}
