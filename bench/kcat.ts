/**
 * librdkafka's limit on this machine: kcat producing the same records from a file (key TAB value per
 * line), timed from spawn to exit (kcat exits once every message is delivered).
 */
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { generateEvents, toRecord } from './events'

export interface KcatResult {
  events: number
  seconds: number
  eventsPerSec: number
}

/** Writes `count` records cycling through the same event pool the workers use; returns the file. */
export function writeRecordFile(count: number): string {
  const pool = generateEvents(2000).map(toRecord)
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kcat-')), 'records.tsv')
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const record = pool[i % pool.length]
    lines.push(`${record.key}\t${record.value}\n`)
  }
  fs.writeFileSync(file, lines.join(''))
  return file
}

export function kcatVersion(): string {
  try {
    const out = execFileSync('kcat', ['-V'], { encoding: 'utf8' })
    return /Version (\S+).*librdkafka (\S+)/.exec(out)?.slice(1, 3).join(' / librdkafka ') ?? 'unknown'
  } catch {
    return 'not installed'
  }
}

/**
 * Defaults of librdkafka otherwise (acks=all, linger 5 ms, no compression); the murmur2 partitioner
 * puts each key on the partition kafkajs would choose.
 */
export function runKcat(brokers: string, topic: string, file: string, events: number): Promise<KcatResult> {
  const args = ['-P', '-q', '-b', brokers, '-t', topic, '-K', '\t', '-l', '-X', 'topic.partitioner=murmur2_random']
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn('kcat', [...args, file], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      if (code !== 0) return reject(new Error(`kcat exited with ${code}: ${stderr.slice(-2000)}`))
      resolve({ events, seconds: Math.round(seconds * 1000) / 1000, eventsPerSec: Math.round(events / seconds) })
    })
  })
}
