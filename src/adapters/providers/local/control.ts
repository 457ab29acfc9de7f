import { chmodSync } from 'node:fs'
import net from 'node:net'
import type { SiteState } from './state.js'
import type { TlsFiles } from './tls-files.js'

/** What the provider asks the supervisor to start: everything it needs, the app's environment included. */
export interface Activation {
  deploymentId: string
  release: string
  createdAt: string
  dir: string
  start: string
  /** The app's own variables, secrets among them: kept in the supervisor's memory only. */
  env: Record<string, string>
  host: string
  port: number
  /** Paths only: the supervisor reads the certificate and key itself, so neither crosses the socket. */
  tls?: TlsFiles
  health: { path: string; https: boolean; hostHeader?: string; caFile?: string }
  startTimeoutMs: number
  stopTimeoutMs: number
  keep: number
}

export type ControlRequest = { op: 'activate'; activation: Activation } | { op: 'status' } | { op: 'stop' }

export interface SupervisorStatus {
  pid: number
  /** The public address, and whether it terminates TLS there. */
  listening: { host: string; port: number; tls: boolean } | null
  /** The deployment being started and health-checked, if any. */
  activating: string | null
  /** The app serving now, and whether its process runs (it may be between a crash and its restart). */
  app: { deploymentId: string; pid: number | null; port: number; running: boolean; restarts: number } | null
  state: SiteState
}

export type ControlAnswer = { ok: true; status: SupervisorStatus } | { ok: false; error: string }

const NOBODY = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE'])

/**
 * One request to the supervisor over its control socket (one JSON line each way). Null when no
 * supervisor answers there: no socket, or a socket left by one that is gone.
 */
export function ask(socket: string, request: ControlRequest, timeoutMs = 10_000): Promise<ControlAnswer | null> {
  return new Promise((resolve, reject) => {
    const conn = net.connect({ path: socket })
    let text = ''
    let answered = false
    const timer = setTimeout(() => {
      conn.destroy()
      reject(new Error(`the site supervisor (${socket}) gave no answer within ${Math.round(timeoutMs / 1000)} s`))
    }, timeoutMs)
    conn.setEncoding('utf8')
    conn.on('connect', () => conn.write(JSON.stringify(request) + '\n'))
    conn.on('data', (chunk: string) => {
      text += chunk
      const end = text.indexOf('\n')
      if (end < 0 || answered) return
      answered = true
      clearTimeout(timer)
      conn.end()
      try {
        resolve(JSON.parse(text.slice(0, end)) as ControlAnswer)
      } catch {
        reject(new Error(`the site supervisor answered something that is not JSON: ${text.slice(0, 200)}`))
      }
    })
    conn.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (answered) return
      // A reset before any answer: the supervisor died, its socket going away as we connected.
      if (error.code && NOBODY.has(error.code)) resolve(null)
      else reject(error)
    })
    conn.on('close', () => {
      clearTimeout(timer)
      if (!answered) resolve(null)
    })
  })
}

/** The supervisor's side: answers each request line with `handle`'s answer; the socket is owner-only. */
export async function serveControl(socket: string, handle: (request: ControlRequest) => Promise<ControlAnswer>): Promise<net.Server> {
  const server = net.createServer((conn) => {
    let text = ''
    conn.setEncoding('utf8')
    conn.on('error', () => conn.destroy())
    conn.on('data', (chunk: string) => {
      text += chunk
      const end = text.indexOf('\n')
      if (end < 0) return
      const line = text.slice(0, end)
      text = ''
      let request: ControlRequest
      try {
        request = JSON.parse(line) as ControlRequest
      } catch {
        conn.end(JSON.stringify({ ok: false, error: 'not a JSON request' }) + '\n')
        return
      }
      handle(request).then(
        (answer) => conn.end(JSON.stringify(answer) + '\n'),
        (error: Error) => conn.end(JSON.stringify({ ok: false, error: error.message }) + '\n'),
      )
    })
  })
  // The socket file is made owner-only as it is created (listen binds synchronously, so the umask
  // is back before anything else runs): nobody else may start or stop apps through it.
  const umask = process.umask(0o177)
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socket, () => {
      server.off('error', reject)
      resolve()
    })
  })
  process.umask(umask)
  await listening
  chmodSync(socket, 0o600)
  return server
}
