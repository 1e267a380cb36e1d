/**
 * A Python venv (`.venv-sdk/`, git-ignored) with the clients of test/python/requirements.txt: Segment's
 * official Python SDK and the Prometheus text parser. Created on first use from PyPI; a lock folder keeps
 * two test files from creating it at once.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

const root = path.resolve(__dirname, '..', '..')
const venv = path.join(root, '.venv-sdk')
const requirements = path.join(root, 'test', 'python', 'requirements.txt')
const stamp = path.join(venv, 'requirements.installed')
const lock = `${venv}.lock`

export const python = path.join(venv, 'bin', 'python')

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd: root, timeout: 300000 }, (error, _out, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`)) : resolve()
    )
  )
}

const installed = (): boolean =>
  fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fs.readFileSync(requirements, 'utf8')

/** Makes sure the venv exists with the pinned requirements; returns the venv's python. */
export async function ensureVenv(): Promise<string> {
  for (;;) {
    if (installed()) return python
    try {
      fs.mkdirSync(lock)
    } catch {
      // Another test file is installing: wait for it to finish (its lock goes away).
      await new Promise<void>((resolve) => {
        const watcher = fs.watch(path.dirname(lock), () => {
          if (!fs.existsSync(lock)) {
            watcher.close()
            resolve()
          }
        })
        if (!fs.existsSync(lock)) {
          watcher.close()
          resolve()
        }
      })
      continue
    }
    try {
      if (!fs.existsSync(python)) await run('python3', ['-m', 'venv', venv])
      await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements])
      fs.writeFileSync(stamp, fs.readFileSync(requirements, 'utf8'))
    } finally {
      fs.rmSync(lock, { recursive: true, force: true })
    }
  }
}

/** Runs a Python script in the venv with a JSON argument; resolves with its stdout. */
export function runPython(script: string, arg: unknown, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      python,
      ['-c', script, JSON.stringify(arg)],
      { cwd: root, timeout: 120000, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`python failed: ${error.message}\n${stderr}`)) : resolve(stdout)
    )
  )
}
