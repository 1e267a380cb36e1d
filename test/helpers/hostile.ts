/**
 * What the hostile-input suite needs beyond the gateway helpers: raw bytes over a socket (node:net, for
 * request lines no HTTP client would send, and for trickling a request), and the checks every case ends
 * with: the server still answers /health, /metrics parses as Prometheus text, and no secret is in an
 * answer.
 */
import * as net from 'node:net'
import { call } from './gateway'

export interface RawReply {
  /** The status of the first answer, 0 when the server closed without one. */
  status: number
  text: string
  /** Whether the server closed the connection. */
  closed: boolean
}

/**
 * Writes `chunks` to a fresh connection (`gapMs` between them, for slow clients) and reads until the
 * server closes it, or until `settleMs` after the first answer arrived (keep-alive).
 */
export function rawRequest(
  url: string,
  chunks: (string | Buffer)[],
  { gapMs = 0, settleMs = 300, timeoutMs = 15000 } = {}
): Promise<RawReply> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname)
    let text = ''
    let done = false
    let settle: NodeJS.Timeout | undefined
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      clearTimeout(settle)
      socket.destroy()
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)
      resolve({ status: status ? Number(status[1]) : 0, text, closed })
    }
    const timer = setTimeout(() => {
      done = true
      socket.destroy()
      reject(new Error(`no answer or close within ${timeoutMs} ms; read so far: ${text.slice(0, 300)}`))
    }, timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      clearTimeout(settle)
      settle = setTimeout(() => finish(false), settleMs)
    })
    socket.on('close', () => finish(true))
    socket.on('error', () => finish(true))
    socket.on('connect', () => {
      void (async () => {
        for (const [i, chunk] of chunks.entries()) {
          if (done || socket.destroyed) return
          if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
          if (done || socket.destroyed) return
          socket.write(chunk)
        }
      })()
    })
  })
}

/** The problems of a Prometheus text exposition (empty when it parses): one sample or comment a line. */
export function prometheusProblems(text: string): string[] {
  const sample =
    /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? [-+]?(\d+(\.\d+)?([eE][-+]?\d+)?|[Nn]a[Nn]|[-+]?[Ii]nf)( \d+)?$/
  const comment = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$/
  return text
    .split('\n')
    .filter((line) => line !== '' && !sample.test(line) && !comment.test(line))
    .slice(0, 5)
}

/** The series of one metric in a Prometheus text: `name{labels} value` lines. */
export function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
}

/** The server still serves: /health answers 200 and /metrics parses. Returns the metrics text. */
export async function stillServing(url: string): Promise<string> {
  const health = await call(url, 'GET', '/health')
  if (health.status !== 200) throw new Error(`/health answered ${health.status}: ${health.text}`)
  const metrics = await call(url, 'GET', '/metrics')
  if (metrics.status !== 200) throw new Error(`/metrics answered ${metrics.status}`)
  const problems = prometheusProblems(metrics.text)
  if (problems.length) throw new Error(`/metrics does not parse: ${problems.join(' | ')}`)
  return metrics.text
}
