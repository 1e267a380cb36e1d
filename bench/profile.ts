/**
 * Where a worker's CPU time goes: self time of a V8 .cpuprofile (from `tsx bench/run.ts --cpu-prof`)
 * grouped by owner (this project's src/, kafkajs, actions-core, Segment's destination, Node, GC, idle)
 * and by function.
 *
 *   tsx bench/profile.ts <file.cpuprofile> [top] [events]   (events: also print µs per event)
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const ROOT = path.resolve(__dirname, '..')
/** Where run.ts compiles src/ (see buildOurs there). */
const OURS_BUILD = path.join(ROOT, 'node_modules', '.cache', 'actions-kafka-bench')
const OURS = 'ours (src/)'

export function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'node (native)'
  if (url.startsWith('node:')) return 'node'
  const file = url.replace(/^file:\/\//, '')
  if (file.startsWith(OURS_BUILD) || file.startsWith(path.join(ROOT, 'src'))) return OURS
  const modules = file.lastIndexOf('node_modules/')
  if (modules >= 0) {
    const rest = file.slice(modules + 'node_modules/'.length).split('/')
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
    return file.startsWith(path.join(ROOT, 'bench')) ? `${pkg} (bench copy)` : pkg
  }
  if (file.startsWith(path.join(ROOT, 'bench'))) return 'bench harness'
  return 'other'
}

export interface ProfileSummary {
  totalMs: number
  byOwner: { owner: string; ms: number; share: number }[]
  top: { fn: string; owner: string; ms: number; share: number }[]
  /** Functions of `ours (src/)` by total time (themselves and everything they call), once per stack. */
  oursInclusive: { fn: string; ms: number; share: number }[]
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const where = url ? `${path.basename(url)}:${lineNumber + 1}` : ''
  return `${functionName || '(anonymous)'} ${where}`.trim()
}

export function summariseProfile(profile: CpuProfile, topN = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000))
  const owners = new Map<string, number>()
  const fns = new Map<string, { owner: string; ms: number }>()
  let totalMs = 0
  for (const [id, ms] of self) {
    const node = byId.get(id)
    if (!node) continue
    const { functionName, url } = node.callFrame
    const who = owner(url, functionName)
    totalMs += ms
    owners.set(who, (owners.get(who) ?? 0) + ms)
    const key = label(node)
    const entry = fns.get(key) ?? { owner: who, ms: 0 }
    entry.ms += ms
    fns.set(key, entry)
  }
  const share = (ms: number): number => Math.round((ms / totalMs) * 1000) / 10
  // Inclusive time: walk the call tree, charging each sample to every distinct `ours` function on its stack.
  const inclusive = new Map<string, number>()
  const walk = (id: number, onStack: string[]): void => {
    const node = byId.get(id)
    if (!node) return
    const key = label(node)
    const mine = owner(node.callFrame.url, node.callFrame.functionName) === OURS && !onStack.includes(key)
    const stack = mine ? [...onStack, key] : onStack
    const ms = self.get(id) ?? 0
    for (const fn of stack) inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms)
    for (const child of node.children ?? []) walk(child, stack)
  }
  walk(profile.nodes[0].id, [])
  return {
    totalMs: Math.round(totalMs),
    byOwner: [...owners]
      .sort((a, b) => b[1] - a[1])
      .map(([o, ms]) => ({ owner: o, ms: Math.round(ms), share: share(ms) })),
    top: [...fns]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, topN)
      .map(([fn, e]) => ({ fn, owner: e.owner, ms: Math.round(e.ms), share: share(e.ms) })),
    oursInclusive: [...inclusive]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms), share: share(ms) }))
  }
}

if (require.main === module) {
  const [file, top, eventsArg] = process.argv.slice(2)
  if (!file) {
    process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [top] [events]\n')
    process.exit(2)
  }
  const events = Number(eventsArg ?? 0)
  const ms = (value: number): string =>
    `${String(value).padStart(7)} ms` + (events ? ` ${((value * 1000) / events).toFixed(1).padStart(7)} µs/ev` : '')
  const pct = (share: number): string => `${String(share).padStart(5)}%`
  const summary = summariseProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, Number(top ?? 25))
  const out: string[] = [`total sampled ${summary.totalMs} ms`, '', 'self time by owner:']
  for (const o of summary.byOwner) out.push(`  ${ms(o.ms)} ${pct(o.share)}  ${o.owner}`)
  out.push('', 'top functions (self time):')
  for (const f of summary.top) out.push(`  ${ms(f.ms)} ${pct(f.share)}  ${f.owner.padEnd(24)} ${f.fn}`)
  if (summary.oursInclusive.length) {
    out.push('', 'functions of src/ by inclusive time (with what they call):')
    for (const f of summary.oursInclusive) out.push(`  ${ms(f.ms)} ${pct(f.share)}  ${f.fn}`)
  }
  process.stdout.write(out.join('\n') + '\n')
}
