import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import type { Pair } from './certs.js'

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void
type After = { after(fn: () => unknown): void }

export const HOST = 'staging.test'
/** The resolve map every environment test uses: the test host is this machine. */
export const RESOLVE = { [HOST]: '127.0.0.1' }

function listen(t: After, server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>()
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  t.after(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  }))
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

export function httpsServer(t: After, pair: Pair, handler: Handler = ok, tlsOptions: Record<string, unknown> = {}): Promise<number> {
  return listen(t, https.createServer({ key: pair.key, cert: pair.cert, ...tlsOptions }, handler))
}

export function httpServer(t: After, handler: Handler = ok): Promise<number> {
  return listen(t, http.createServer(handler))
}

/** Accepts connections and never says a word: what a hung app or a black-holing proxy looks like. */
export function silentServer(t: After): Promise<number> {
  return listen(t, net.createServer(() => {}))
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function ok(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html' })
  res.end('<h1>TERP</h1>')
}
