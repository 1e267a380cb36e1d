/**
 * The layout rules of docs/architecture.md, checked on the sources: kafkajs is imported
 * only by the port (src/kafka/), src/ has no import cycle, and its files stay about 300 lines at most.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ts from 'typescript'

const SRC = path.resolve(__dirname, '../../src')

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sources(full)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : []
  })
}

const files = sources(SRC)
/** Each file's import specifiers, as TypeScript's own pre-processor reads them (static, dynamic, require). */
const imports = new Map(
  files.map((file) => [
    file,
    ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName)
  ])
)

function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = path.resolve(path.dirname(from), specifier)
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => imports.has(candidate))
}

const relative = (file: string): string => path.relative(SRC, file)

describe('source layout', () => {
  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50)
  })

  it('only src/kafka/ imports kafkajs', () => {
    const importers = files.filter((file) =>
      imports.get(file)?.some((s) => s === 'kafkajs' || s.startsWith('kafkajs/'))
    )
    expect(importers.length).toBeGreaterThan(0)
    expect(importers.map(relative).filter((file) => !file.startsWith(`kafka${path.sep}`))).toEqual([])
  })

  it('has no import cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>()
    const cycles: string[] = []
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map(relative).join(' -> '))
        return
      }
      state.set(file, 'visiting')
      for (const specifier of imports.get(file) ?? []) {
        const target = resolveLocal(file, specifier)
        if (target) visit(target, [...trail, file])
      }
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('keeps files to about 300 lines (a data table may run a little over)', () => {
    const long = files
      .map((file) => ({ file: relative(file), lines: fs.readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 320)
    expect(long).toEqual([])
  })
})
