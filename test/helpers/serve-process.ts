/**
 * `scripts/serve.ts` run as `npm start` runs it, in a process of its own: the output collected, a wait
 * for what it prints when ready, and a kill of its whole process group (tsx may run the server in a child
 * of its own; killing tsx alone would leave the server running and Jest waiting for it).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as path from 'node:path'

export const ROOT = path.resolve(__dirname, '..', '..')

export interface ServeProcess {
  child: ChildProcess
  /** Everything printed so far. */
  stdout(): string
  stderr(): string
  /** The exit code, once it exits. */
  exited: Promise<number | null>
  /** The first match of `pattern` in stdout; fails with the output when it exits or `timeoutMs` passes. */
  printed(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>
  /** SIGKILL to the process group, if it is still there. */
  killGroup(): void
}

/**
 * Spawns `command args` in the project root, in its own process group, with `PORT=0` and no
 * `KAFKA_BROKERS` / `KAFKA_CONFIG_FILE` from the test's environment.
 */
export function spawnServe(command: string, args: string[]): ServeProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', KAFKA_BROKERS: '', KAFKA_CONFIG_FILE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async printed(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const match = pattern.exec(stdout)
        if (match) return match
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`server did not start:\n${stdout}\n${stderr}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    killGroup() {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
      }
    }
  }
}
