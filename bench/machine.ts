/** The facts of the machine a run was taken on, its load included (a busy machine is said so). */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { kcatVersion } from './kcat'

export interface Machine {
  cpu: string
  cores: number
  memoryGb: number
  os: string
  node: string
  kafka: string
  kafkajs: string
  actionsCore: string
  segmentActionDestinations: string
  kcat: string
  /** 1/5/15-minute load averages: other work on the machine makes every figure noisier. */
  loadAverageAtStart: number[]
  loadAverageAtEnd: number[]
  /** The highest 1-minute load average sampled while the run went on. */
  loadAverageMax?: number
  /** Other work loaded the machine: figures are noisier, and are not compared with earlier runs. */
  busy?: boolean
  busyReason?: string
}

/** Read from the file: some packages' `exports` hide their package.json from require. */
function versionOf(nodeModules: string, pkg: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(nodeModules, pkg, 'package.json'), 'utf8')) as { version: string })
      .version
  } catch {
    return 'not installed'
  }
}

/** Kafka's version from the broker's jar names (e.g. kafka_2.13-4.2.1.jar). */
function kafkaVersion(libs: string): string {
  try {
    const jar = fs.readdirSync(libs).find((f) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(f))
    return jar ? jar.replace(/^kafka_[\d.]+-/, '').replace(/\.jar$/, '') : 'unknown'
  } catch {
    return 'unknown'
  }
}

export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100)
}

/**
 * Busy: the 1-minute load average was above half the cores before the run started (other work), or
 * above the cores + 2 while it ran (the bench itself keeps about two threads busy: the measured
 * process and the broker, plus the gateway rows' load generator).
 */
export function busyMachine(cores: number, atStart: number, max: number): string | undefined {
  if (atStart > cores / 2) return `load average ${atStart} at start on ${cores} cores (above ${cores / 2})`
  if (max > cores + 2) return `load average up to ${max} during the run on ${cores} cores (above ${cores + 2})`
  return undefined
}

export function machine(brokerLibs: string, loadAverageAtStart: number[], loadAverageMax?: number): Machine {
  const cores = os.cpus().length
  const loadAverageAtEnd = loadAverage()
  const max = Math.max(loadAverageMax ?? 0, loadAverageAtStart[0], loadAverageAtEnd[0])
  const busyReason = busyMachine(cores, loadAverageAtStart[0], max)
  const root = path.join(__dirname, '..', 'node_modules')
  const bench = path.join(__dirname, 'node_modules')
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores,
    memoryGb: Math.round(os.totalmem() / 1073741824),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    kafka: kafkaVersion(brokerLibs),
    kafkajs: versionOf(root, 'kafkajs'),
    actionsCore: versionOf(root, '@segment/actions-core'),
    segmentActionDestinations: versionOf(bench, '@segment/action-destinations'),
    kcat: kcatVersion(),
    loadAverageAtStart,
    loadAverageAtEnd,
    loadAverageMax: max,
    busy: busyReason !== undefined,
    ...(busyReason ? { busyReason } : {})
  }
}
