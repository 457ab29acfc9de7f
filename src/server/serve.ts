import { serve, type ServerType } from '@hono/node-server'
import type { ConfigSource } from '../app/config-source.js'
import { RolloutError } from '../shared/errors.js'
import { isLoopback, newToken } from './auth.js'
import { dashboardApp } from './dashboard.js'

export interface ServeOptions {
  source: ConfigSource
  port: number
  host: string
  /** A token of the caller's (ROLLOUT_DASHBOARD_TOKEN); one is made when the address needs one and none is given. */
  token?: string
}

export interface RunningDashboard {
  url: string
  /** The token a browser signs in with; undefined on a loopback address without one. */
  token?: string
  /** Generated here (say it once), not given. */
  generatedToken: boolean
  close(): Promise<void>
}

/** Starts the dashboard; on any address but loopback every request needs the token. */
export function startDashboard(options: ServeOptions): Promise<RunningDashboard> {
  const generatedToken = !options.token && !isLoopback(options.host)
  const token = options.token ?? (generatedToken ? newToken() : undefined)
  const app = dashboardApp({ source: options.source, ...(token ? { token } : {}) })
  return new Promise((resolve, reject) => {
    let server: ServerType
    const failed = (error: NodeJS.ErrnoException) => reject(new RolloutError('USAGE', `the dashboard cannot listen on ${options.host}:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`, 'pick another with --port'))
    server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
      server.off('error', failed)
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
      resolve({
        url: `http://${host}:${info.port}/`, generatedToken, ...(token ? { token } : {}),
        close: () => new Promise<void>((done) => {
          // Event streams stay open while a browser watches: end them, or close would wait for the browser.
          if ('closeAllConnections' in server) server.closeAllConnections()
          server.close(() => done())
        }),
      })
    })
    server.once('error', failed)
  })
}
