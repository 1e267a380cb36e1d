/**
 * A TCP relay in front of a real server, to take that server "down" for one client without stopping
 * it for the other tests: close() refuses new connections and cuts the open ones; open() relays again.
 */
import * as net from 'node:net'

export interface Relay {
  port: number
  close(): Promise<void>
  open(): Promise<void>
}

export async function relay(targetPort: number, host = '127.0.0.1'): Promise<Relay> {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => s.destroy())
        }
        client.pipe(upstream).pipe(client)
      })
      server.once('error', reject)
      server.listen(port, host, () => {
        port = (server?.address() as net.AddressInfo).port
        resolve()
      })
    })
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      if (!server) return resolve()
      server.close(() => resolve())
      server = undefined
    })
  await open()
  return {
    get port() {
      return port
    },
    close,
    open
  }
}
