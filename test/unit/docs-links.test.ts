/**
 * The documentation's links hold: every relative link and anchor in README.md and docs/ resolves (anchors
 * as GitHub derives them from headings), every `npm run <script>` the docs name exists in package.json,
 * and the README stays a short front door.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return markdownFiles(full)
    return entry.name.endsWith('.md') ? [full] : []
  })
}

const DOCS = [path.join(ROOT, 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))]

/** The lines outside fenced code blocks, with their 1-based numbers. */
function prose(text: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = []
  let fence: string | undefined
  text.split('\n').forEach((line, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1]
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined
      return
    }
    if (fence === undefined) out.push({ line, n: i + 1 })
  })
  return out
}

/** GitHub's anchor for a heading: inline markup dropped, lower case, punctuation removed, spaces to hyphens. */
export function githubAnchor(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-')
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  for (const { line } of prose(fs.readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading === undefined) continue
    const base = githubAnchor(heading)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    result.add(count === 0 ? base : `${base}-${count}`)
  }
  return result
}

interface Link {
  file: string
  n: number
  target: string
}

function links(file: string): Link[] {
  const found: Link[] = []
  for (const { line, n } of prose(fs.readFileSync(file, 'utf8'))) {
    const text = line.replace(/`[^`]*`/g, '')
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ file, n, target: m[1] })
  }
  return found
}

const where = (link: Link): string => `${path.relative(ROOT, link.file)}:${link.n} -> ${link.target}`

describe('documentation links', () => {
  const all = DOCS.flatMap(links)
  const relativeLinks = all.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target))

  it('finds the README, the docs and their links', () => {
    expect(DOCS.length).toBeGreaterThan(10)
    expect(relativeLinks.length).toBeGreaterThan(30)
    expect(anchors(path.join(ROOT, 'docs/destination.md'))).toContain('the-send-action')
    expect(githubAnchor("Segment's tracking API")).toBe('segments-tracking-api')
    expect(githubAnchor('Schema Registry formats: Avro, JSON Schema, Protobuf')).toBe(
      'schema-registry-formats-avro-json-schema-protobuf'
    )
  })

  it('every relative link names a file or folder that exists, and every anchor a heading there', () => {
    const broken: string[] = []
    for (const link of relativeLinks) {
      const [target, anchor] = link.target.split('#', 2) as [string, string | undefined]
      const resolved = target === '' ? link.file : path.resolve(path.dirname(link.file), decodeURIComponent(target))
      if (!fs.existsSync(resolved)) {
        broken.push(`${where(link)}: no such file`)
        continue
      }
      if (anchor === undefined || anchor === '') continue
      if (!resolved.endsWith('.md')) broken.push(`${where(link)}: an anchor into a file that is not Markdown`)
      else if (!anchors(resolved).has(decodeURIComponent(anchor))) broken.push(`${where(link)}: no such heading`)
    }
    expect(broken).toEqual([])
  })

  it('every `npm run <script>` the docs name is a script of package.json', () => {
    const scripts = Object.keys(
      (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
        .scripts
    )
    const missing: string[] = []
    for (const file of DOCS) {
      const text = fs.readFileSync(file, 'utf8')
      for (const m of text.matchAll(/npm run ([A-Za-z0-9:_-]+)/g))
        if (!scripts.includes(m[1])) missing.push(`${path.relative(ROOT, file)}: npm run ${m[1]}`)
    }
    expect(missing).toEqual([])
  })

  it('keeps the README a front door of under 300 lines', () => {
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(300)
  })
})
