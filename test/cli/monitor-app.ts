import http from 'node:http'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { stepsOnly, tempDir } from '../support/cli.js'

/**
 * A small app for monitoring windows: `/api/health` answers 200; `/metrics.json` reports its error
 * rate. While the release marker file exists (the deploy step writes it, its undo removes it) and
 * `breaksAfter` readings have been taken, the rate jumps to 30 errors a minute, as a release that
 * starts failing some time after it went live. Without `breaksAfter` it never breaks.
 */
export async function startMonitoredApp(opts: { dir: string; breaksAfter?: number }) {
  const marker = path.join(opts.dir, 'release-v2')
  let readings = 0
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/api/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    if (url.pathname === '/metrics.json') {
      const live = existsSync(marker)
      readings = live ? readings + 1 : 0
      const broken = live && opts.breaksAfter !== undefined && readings > opts.breaksAfter
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: { perMinute: broken ? 30 : 0 } }))
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, marker, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/**
 * The steps of a rollout around a monitoring window: a deploy that writes the release marker (its
 * undo removes it, or fails with `undo: 'exit 1'`), the health smoke test that proves a rollback,
 * and a monitor step reading the app's error rate every 200 ms.
 */
export function monitoredSteps(opts: { undo?: string; window?: string } = {}) {
  return [
    { id: 'deploy-v2', phase: 'deploy', kind: 'command', changesEnvironment: true, options: { command: 'touch release-v2', undo: opts.undo ?? 'rm release-v2' } },
    { id: 'api-health', phase: 'smoke', kind: 'http', options: { url: '/api/health' } },
    {
      id: 'watch', phase: 'monitor', kind: 'monitor',
      options: { window: opts.window ?? '30m', interval: '200ms', health: false, errors: { source: 'metric', url: '/metrics.json', field: 'errors.perMinute', maxPerMinute: 5 } },
    },
  ]
}

/**
 * A project folder whose config deploys to, and watches, its own monitored app. `extra` goes into
 * the staging environment (notify, monitor…); the app is closed with `close()`.
 */
export async function monitoredProject(opts: { breaksAfter?: number; undo?: string; extra?: Record<string, unknown> } = {}) {
  const dir = tempDir('rollout-monitor-')
  const app = await startMonitoredApp({ dir, breaksAfter: opts.breaksAfter })
  const config = stepsOnly(monitoredSteps({ undo: opts.undo }), { url: app.url, ...opts.extra })
  writeFileSync(path.join(dir, 'rollout.config.mjs'), `export default ${JSON.stringify(config, null, 2)}\n`)
  return { dir, app, close: app.close }
}
