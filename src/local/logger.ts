/**
 * The server's structured logs: pino, JSON, one line per request at info (route, status, time, event
 * count, `caller`: the write key's name, `admin` or `none`). Only fields the server chose are logged; the paths that could hold a secret
 * are redacted as well, should one ever be passed in.
 */
import pino, { type DestinationStream, type Logger } from 'pino'

export type { Logger }

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'writeKey',
  '*.writeKey',
  'adminToken',
  '*.adminToken',
  'password',
  '*.password',
  'settings'
]

/** A JSON logger (stderr by default: stdout is for the start-up banner). `LOG_LEVEL` sets the level. */
export function createLogger(destination: DestinationStream = pino.destination(2), level?: string): Logger {
  return pino(
    {
      name: 'actions-kafka',
      level: level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid }
    },
    destination
  )
}

/** Logs nothing (tests and embedders that do not ask for logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
