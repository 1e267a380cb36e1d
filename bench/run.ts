/**
 * `npm run bench` (full) and `npm run bench:quick` (CI smoke: small sizes, one run, no timing asserted).
 *
 *   tsx bench/run.ts [--quick] [--runs N] [--only REGEX] [--ours build|src] [--cpu-prof]
 *
 * --only keeps workloads whose id (e.g. `batch-1000/ours`) matches; --ours src runs the TypeScript
 * sources through tsx instead of a tsc build; --cpu-prof writes a CPU profile of each measured phase
 * (summarise with `tsx bench/profile.ts FILE [top] [events]`); --ours DIR uses a build made elsewhere (e.g. of an
 * earlier commit, compiled to a folder under node_modules/ so it resolves the project's dependencies) for A/B runs.
 *
 * Starts the project's broker if it is not running (and stops it afterwards only then), installs
 * bench/'s comparison packages if missing, runs every workload `runs` times round-robin (each run in
 * a fresh process), checks every run wrote exactly what it claims, and writes bench/results/*.json
 * plus bench/RESULTS.md (full, unfiltered runs only).
 */
import { fork, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { layout, start, stop } from '../scripts/broker/broker'
import { start as startRegistry, stop as stopRegistry } from '../scripts/registry/registry'
import { kcatVersion, runKcat, writeRecordFile } from './kcat'
import { readPrevious } from './previous'
import { loadAverage, machine } from './machine'
import { markdown, ratiosAndTargets, summarise, write, type Report, type RunResult } from './report'
import type { WorkerResult, WorkerSpec } from './worker'
import { workloads, type Workload } from './workloads'

const PARTITIONS = 3
const ROOT = path.resolve(__dirname, '..')

function ensureBenchPackages(): void {
  if (fs.existsSync(path.join(__dirname, 'node_modules', '@segment', 'action-destinations'))) return
  process.stderr.write('[bench] installing bench/ comparison packages (npm ci)\n')
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: __dirname, stdio: 'inherit' })
  if (npm.status !== 0) throw new Error('npm ci in bench/ failed')
}

/**
 * Compiles src/ with the project's build config into node_modules/.cache (git-ignored, and resolving
 * the project's own dependencies), so ours runs as published rather than through tsx's transform.
 */
function buildOurs(): string {
  const outDir = path.join(ROOT, 'node_modules', '.cache', 'actions-kafka-bench', 'dist')
  fs.rmSync(outDir, { recursive: true, force: true })
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] })
  const build = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    stdio: 'inherit'
  })
  if (build.status !== 0) throw new Error('building src/ failed')
  return outDir
}

function runWorker(spec: WorkerSpec, env: Record<string, string>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'worker.ts'), [JSON.stringify(spec)], {
      execArgv: [...process.execArgv, '--expose-gc'],
      env: { ...process.env, ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc']
    })
    let output = ''
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    let result: WorkerResult | undefined
    child.on('message', (message) => (result = message as WorkerResult))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result)
      else reject(new Error(`worker exited with ${code}; last output:\n${output}`))
    })
  })
}

/** Records in the topic; retried because a just-created topic's leaders can lag in metadata. */
async function highWatermark(admin: Admin, topic: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic)
      return offsets.reduce((sum, p) => sum + Number(p.high), 0)
    } catch (error) {
      if (attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

function commandLine(argv: string[]): string {
  const args = argv.length ? ` ${argv.join(' ')}` : ''
  const script = process.env.npm_lifecycle_event
  if (script === 'bench' || script === 'bench:quick') return `npm run ${script}${args ? ' --' + args : ''}`
  return `tsx bench/run.ts${args}`
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      ours: { type: 'string', default: 'build' }
    }
  })
  const quick = values.quick === true
  const runs = Number(values.runs ?? (quick ? 1 : 3))
  const only = values.only ? new RegExp(values.only) : undefined
  const hasKcat = kcatVersion() !== 'not installed'
  if (!hasKcat) process.stderr.write('[bench] kcat is not installed: skipping the librdkafka workload\n')
  const selected = workloads(quick).filter((w) => (!only || only.test(w.id)) && (hasKcat || w.group !== 'kcat'))
  const profile = values['cpu-prof'] === true

  const loadAtStart = loadAverage()
  // The 1-minute load average every 15 s, to tell a run on a busy machine (report.ts: busyMachine).
  let loadMax = loadAtStart[0]
  const loadSampler = setInterval(() => (loadMax = Math.max(loadMax, loadAverage()[0])), 15000).unref()
  ensureBenchPackages()
  const oursDir = values.ours !== 'build' && values.ours !== 'src' ? path.resolve(String(values.ours)) : undefined
  if (oursDir && !fs.existsSync(path.join(oursDir, 'index.js')))
    throw new Error('--ours is build, src or a built dist folder')
  const oursEnv: Record<string, string> =
    values.ours === 'build' ? { BENCH_OURS_DIR: buildOurs() } : oursDir ? { BENCH_OURS_DIR: oursDir } : {}
  const { info, started } = await start()
  const brokers = info.bootstrap.plaintext
  // The Avro rows need the project's schema registry (started here only if they are selected).
  const registry = selected.some((w) => w.valueFormat === 'avro') ? await startRegistry() : undefined
  const registryFacts = registry && {
    url: registry.info.url,
    username: registry.info.users.producer.username,
    password: registry.info.users.producer.password
  }
  const runId = randomUUID().slice(0, 8)
  const profDir = path.join(os.tmpdir(), `bench-profiles-${runId}`)
  const profileFile = (w: Workload, run: number): string | undefined =>
    profile ? path.join(profDir, `${w.id.replace('/', '-')}-run${run}.cpuprofile`) : undefined
  const kafka = new Kafka({ clientId: 'bench-admin', brokers: [brokers], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const topics = new Map<Workload, string>()
  const results = new Map<Workload, RunResult[]>()
  const failures: string[] = []
  let kcatFile: string | undefined
  let cleaned = false
  const cleanup = async (): Promise<void> => {
    if (cleaned) return
    cleaned = true
    if (topics.size) await admin.deleteTopics({ topics: [...topics.values()], timeout: 30000 }).catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
    if (kcatFile) fs.rmSync(path.dirname(kcatFile), { recursive: true, force: true })
    if (started) await stop()
    if (registry?.started) await stopRegistry()
  }
  process.once('SIGINT', () => {
    process.stderr.write('\n[bench] interrupted: deleting topics\n')
    void cleanup().finally(() => process.exit(130))
  })

  try {
    await admin.connect()
    for (const w of selected) {
      const topic = `bench-${runId}-${w.id.replace('/', '-')}`
      topics.set(w, topic)
      results.set(w, [])
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: [...topics.values()].map((topic) => ({ topic, numPartitions: PARTITIONS }))
    })
    const kcatWorkload = selected.find((w) => w.group === 'kcat')
    if (kcatWorkload) kcatFile = writeRecordFile(kcatWorkload.events)
    const startedAt = Date.now()
    for (let run = 1; run <= runs; run++) {
      for (const w of selected) {
        const topic = topics.get(w) as string
        const before = await highWatermark(admin, topic)
        let result: RunResult
        let written: number
        try {
          if (w.group === 'kcat') {
            result = await runKcat(brokers, topic, kcatFile as string, w.events)
            written = w.events
          } else {
            const spec: WorkerSpec = {
              target: w.target as WorkerSpec['target'],
              mode: w.mode,
              brokers,
              brokerPort: info.ports.plaintext,
              topic,
              events: w.events,
              warmup: w.warmup,
              concurrency: w.concurrency,
              batchSize: w.batchSize,
              maxSeconds: w.maxSeconds,
              cpuProfile: profileFile(w, run),
              ...(w.route ? { route: w.route } : {}),
              ...(w.fieldDefaults ? { fieldDefaults: true } : {}),
              ...(w.valueFormat === 'avro' ? { valueFormat: 'avro' as const, registry: registryFacts } : {})
            }
            const worker = await runWorker(spec, oursEnv)
            result = worker
            written = worker.written
          }
          const grew = (await highWatermark(admin, topic)) - before
          if (grew !== written) throw new Error(`the topic grew by ${grew} records, the run claims ${written}`)
        } catch (error) {
          const message = `${w.id} run ${run}: ${error instanceof Error ? error.message : String(error)}`
          failures.push(message)
          process.stderr.write(`[bench] FAILED ${message}\n`)
          continue
        }
        ;(results.get(w) as RunResult[]).push(result)
        process.stderr.write(
          `[bench] run ${run}/${runs} ${w.id.padEnd(32)} ${String(result.eventsPerSec).padStart(8)} ev/s` +
            (result.p50Ms !== undefined ? `  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms` : '') +
            (result.cpuUsPerEvent !== undefined ? `  cpu ${result.cpuUsPerEvent} us/ev` : '') +
            (result.connects !== undefined ? `  connects ${result.connects}  open ${result.openSockets}` : '') +
            (result.rssAfterMb !== undefined ? `  rss ${result.rssBeforeMb}->${result.rssAfterMb} MB` : '') +
            '\n'
        )
      }
    }
    const summaries = selected.filter((w) => results.get(w)?.length).map((w) => summarise(w, results.get(w) ?? []))
    const report: Report = {
      command: commandLine(argv),
      date: new Date().toISOString(),
      quick,
      runs,
      ours: values.ours === 'src' ? 'src' : 'build',
      machine: machine(layout().libs, loadAtStart, loadMax),
      workloads: summaries,
      ...ratiosAndTargets(summaries),
      ...(!quick && !only ? { previous: readPrevious(path.join(__dirname, 'results', 'latest.json')) } : {})
    }
    const name = quick ? 'quick' : only ? 'partial' : 'latest'
    const files = await write(report, path.join(__dirname, 'results'), name, !quick && !only)
    process.stdout.write(markdown(report))
    if (profile) process.stderr.write(`[bench] CPU profiles in ${profDir} (summarise: tsx bench/profile.ts FILE)\n`)
    process.stderr.write(
      `[bench] ${selected.length} workloads x ${runs} run(s) in ${Math.round((Date.now() - startedAt) / 1000)} s; wrote ${files.join(', ')}\n`
    )
  } finally {
    clearInterval(loadSampler)
    await cleanup()
  }
  if (failures.length) {
    process.stderr.write(`[bench] ${failures.length} run(s) failed:\n  ${failures.join('\n  ')}\n`)
    process.exitCode = 1
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
