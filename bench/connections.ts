/**
 * Counting what a client does to the broker from inside its own process: TCP connects opened (via
 * Node's `net.client.socket` diagnostics channel, which every `net.connect` publishes to, whichever
 * library calls it) and sockets still open to the broker (this process's socket fds matched
 * against /proc/net/tcp).
 */
import * as dc from 'node:diagnostics_channel'
import * as fs from 'node:fs'
import type { Socket } from 'node:net'

export interface ConnectCounter {
  /** Connections to the broker port that completed their TCP handshake. */
  readonly connects: number
  reset(): void
}

export function countConnects(brokerPort: number): ConnectCounter {
  const state = { connects: 0 }
  dc.subscribe('net.client.socket', (message) => {
    const socket = (message as { socket: Socket }).socket
    socket.once('connect', () => {
      if (socket.remotePort === brokerPort) state.connects++
    })
  })
  return {
    get connects() {
      return state.connects
    },
    reset() {
      state.connects = 0
    }
  }
}

function socketInodes(): Set<string> {
  const inodes = new Set<string>()
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const link = fs.readlinkSync(`/proc/self/fd/${fd}`)
      const match = /^socket:\[(\d+)\]$/.exec(link)
      if (match) inodes.add(match[1])
    } catch {
      // the fd closed between readdir and readlink
    }
  }
  return inodes
}

/** Established TCP sockets of this process whose remote port is the broker's (Linux only; NaN elsewhere). */
export function openBrokerSockets(brokerPort: number): number {
  if (!fs.existsSync('/proc/self/fd')) return NaN
  const mine = socketInodes()
  const portHex = brokerPort.toString(16).toUpperCase().padStart(4, '0')
  let open = 0
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10) continue
      const remotePort = cols[2].split(':')[1]
      if (remotePort === portHex && cols[3] === '01' && mine.has(cols[9])) open++
    }
  }
  return open
}

export function rssMb(): number {
  return Math.round((process.memoryUsage().rss / 1048576) * 10) / 10
}
