/**
 * The Python virtual environment of the independent decoder (./decode.py): Confluent's Python client
 * and its deserializers from PyPI, installed once into a git-ignored folder, again only when
 * requirements.txt changes.
 */
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { RegistryError } from './toolchain'

const ROOT = path.resolve(__dirname, '..', '..')
const REQUIREMENTS = path.join(__dirname, 'requirements.txt')
export const DECODER = path.join(__dirname, 'decode.py')
export const VENV = path.join(ROOT, '.kafka', 'venv')

/** The venv's python, created or updated first when needed. */
export function ensureVenv(venv = VENV): string {
  const python = path.join(venv, 'bin', 'python')
  const stamp = path.join(venv, '.requirements-sha256')
  const hash = createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex')
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash && fs.existsSync(python)) return python
  if (spawnSync('python3', ['-m', 'venv', '--help']).status !== 0)
    throw new RegistryError(
      'Python 3 with its venv module is required for the schema-registry tests: install it (apt-get install -y python3-venv).'
    )
  process.stderr.write(`[registry] installing Confluent's Python client into ${venv} ...\n`)
  run('python3', ['-m', 'venv', '--clear', venv])
  run(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', REQUIREMENTS])
  fs.writeFileSync(stamp, hash)
  return python
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.status !== 0)
    throw new RegistryError(
      `${path.basename(command)} ${args.slice(0, 3).join(' ')} failed:\n${(result.stdout + result.stderr).trim().split('\n').slice(-20).join('\n')}`
    )
}
