/**
 * What the OIDC tests share: the broker's OIDC listener facts (token endpoint, test clients), and the
 * broker log lines of the listener's sessions (principal, token expiry, SASL extensions).
 */
import * as fs from 'node:fs'
import type { OidcFacts } from '../../scripts/broker/oidc'
import type { IdpClient } from '../../scripts/idp/idp'
import { broker } from './kafka'

/** The OIDC listener's facts; fails with the reason when the broker has no such listener. */
export function oidc(): OidcFacts {
  const facts = broker().oidc
  if (facts) return facts
  const why = process.env.IDP_START_ERROR
  throw new Error(
    why
      ? `the identity provider could not be started, so the broker has no OIDC listener: ${why}`
      : 'the running broker has no OIDC listener: it was started while the identity provider was down (npm run idp:start, then npm run broker:stop and start it again)'
  )
}

export function client(kind: 'access' | 'no-access' | 'other-audience'): IdpClient {
  const clients = oidc().clients
  const found =
    kind === 'access'
      ? clients.find((c) => c.access)
      : kind === 'no-access'
        ? clients.find((c) => !c.access && /unauthorized_client/.test(c.description))
        : clients.find((c) => !c.access && /audience/.test(c.description))
  if (!found) throw new Error(`no ${kind} client in the broker facts`)
  return found
}

export interface OidcSession {
  principal: string
  tokenExpiresAtMs: number
  extensions: string
}

const SESSION = /OIDC session authenticated: listener=\S+ principal=(\S+) tokenExpiresAtMs=(-?\d+) extensions=(\{.*\})/

/** The broker log's size now: pass it to `sessionsSince` to see only later sessions. */
export const logOffset = (): number => fs.statSync(broker().logFile).size

/** OIDC sessions the broker logged since `offset`, in order. */
export function sessionsSince(offset: number): OidcSession[] {
  return fs
    .readFileSync(broker().logFile)
    .subarray(offset)
    .toString('utf8')
    .split('\n')
    .map((line) => SESSION.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ principal: m[1], tokenExpiresAtMs: Number(m[2]), extensions: m[3] }))
}

/** Waits (polling, up to `timeoutMs`) until `check` is true. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
