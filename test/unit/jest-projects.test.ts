/**
 * Every `*.test.ts` of the repository runs in some Jest configuration: `npm test` (jest.config.js) or
 * `npm run test:reliability` (test/reliability/jest.config.js). A test file no configuration matches
 * never runs (test/reliability/cluster-faults.test.ts was such a file). Jest itself lists each
 * configuration's files, so the answer is the one Jest would give.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '..', '..')
const CONFIGS = ['jest.config.js', 'test/reliability/jest.config.js']
const SKIP = new Set(['node_modules', '.git', '.kafka', 'dist', 'coverage'])

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return []
    const full = path.join(dir, e.name)
    if (e.isDirectory()) return testFiles(full)
    return e.name.endsWith('.test.ts') ? [full] : []
  })
}

function listed(config: string): string[] {
  const out = execFileSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--config', path.join(ROOT, config), '--listTests', '--json'],
    { cwd: ROOT, encoding: 'utf8' }
  )
  return JSON.parse(out) as string[]
}

it('every *.test.ts belongs to npm test or npm run test:reliability', () => {
  const covered = new Set(CONFIGS.flatMap(listed))
  const orphans = testFiles(ROOT)
    .filter((file) => !covered.has(file))
    .map((file) => path.relative(ROOT, file))
  expect(orphans).toEqual([])
  // The file that prompted this test is in the reliability run.
  expect(covered).toContain(path.join(ROOT, 'test/reliability/cluster-faults.test.ts'))
}, 60_000)
