import { Hono, type Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { streamSSE } from 'hono/streaming'
import { environmentsOverview } from '../app/overview.js'
import { listRuns, showRun } from '../app/history.js'
import { listBackups } from '../app/backups.js'
import { streamRunEvents } from '../app/events.js'
import type { ConfigSource } from '../app/config-source.js'
import { RolloutError } from '../shared/errors.js'
import { Sessions, sameSecret } from './auth.js'
import { contentType } from './files.js'
import { readRunFile } from '../app/evidence.js'
import { buffer } from 'node:stream/consumers'
import { renderEnvironmentsPage } from './pages.js'
import { filterRuns, renderRunPage, renderRunsPage } from './run-pages.js'
import { renderBackupsPage, type EnvironmentBackups } from './backup-pages.js'
import { pagePolicy } from './page-frame.js'
import { registerActions } from './actions.js'
import { randomBytes } from 'node:crypto'

export interface DashboardOptions {
  source: ConfigSource
  /** Required on every request when set: the dashboard listens beyond this machine. */
  token?: string
}

const COOKIE = 'rollout_session'
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** The name in a Host header, without its port. */
function hostName(header: string | undefined): string {
  return (header ?? '').toLowerCase().replace(/:\d+$/, '')
}
// Served pages and evidence load nothing from elsewhere and run no script but the run page's own.
const PAGE_POLICY = pagePolicy()

/**
 * The dashboard's HTTP app: the JSON API under /api/ and the pages, all read through the
 * application layer (the same operations as the CLI), never the store directly.
 */
export function dashboardApp(options: DashboardOptions): Hono {
  const app = new Hono()
  const sessions = new Sessions()
  const { source, token } = options

  app.use('*', async (c, next) => {
    c.header('X-Content-Type-Options', 'nosniff')
    // Addresses of runs and files go to no other site; the dashboard's own forms still name their origin.
    c.header('Referrer-Policy', 'same-origin')
    if (!token) {
      // Without a token only this machine may read it, and only by a loopback name: a page of
      // another site whose name was pointed at 127.0.0.1 (DNS rebinding) sends its own Host.
      const host = hostName(c.req.header('host'))
      if (!LOOPBACK_NAMES.has(host)) return c.json({ error: `refused: this dashboard answers to 127.0.0.1 or localhost, not "${host}"; to serve other names, listen beyond loopback with a token` }, 403)
      return next()
    }
    if (c.req.path === '/login') return next()
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1]
    if (sameSecret(bearer, token) || sessions.has(getCookie(c, COOKIE))) return next()
    return c.json({ error: 'unauthorized: sign in at /login?token=… or send Authorization: Bearer <token>' }, 401)
  })

  // Signing in trades the token for a session cookie, then leaves the token out of the address bar.
  app.get('/login', (c) => {
    if (!token) return c.redirect('/')
    if (!sameSecret(c.req.query('token'), token)) return c.json({ error: 'unauthorized: wrong or missing token' }, 401)
    setCookie(c, COOKIE, sessions.start(), { httpOnly: true, sameSite: 'Strict', path: '/' })
    return c.redirect('/')
  })

  app.get('/api/environments', async (c) => c.json(await environmentsOverview(source)))
  app.get('/api/runs', async (c) => {
    const environment = c.req.query('environment')
    const limit = Number(c.req.query('limit') ?? 50)
    if (!environment) return c.json({ error: 'name an environment: /api/runs?environment=<name>' }, 400)
    const runs = await listRuns({ ...source, environment, limit: Number.isInteger(limit) && limit > 0 ? limit : 50 })
    return c.json(filterRuns(runs, runFilters(c)))
  })
  app.get('/api/runs/:id', async (c) => c.json(await showRun({ ...source, runId: c.req.param('id') })))
  app.get('/api/runs/:id/events', (c) =>
    streamSSE(c, async (stream) => {
      const stop = new AbortController()
      stream.onAbort(() => stop.abort())
      await streamRunEvents({ ...source, runId: c.req.param('id'), signal: stop.signal, onEvent: (e) => stream.writeSSE({ event: e.type, data: JSON.stringify(e) }) })
      await stream.writeSSE({ event: 'end', data: '{}' })
    }),
  )
  app.get('/api/runs/:id/files/*', async (c) => {
    const relative = decodeURIComponent(c.req.path.replace(/^\/api\/runs\/[^/]+\/files\//, ''))
    // From this machine's folder when the run was here, else from the config's evidence storage.
    const found = await readRunFile({ ...source, runId: c.req.param('id'), name: relative })
    if (!found) return c.json({ error: `no file "${relative}" in run ${c.req.param('id')}` }, 404)
    c.header('Content-Type', contentType(found.name))
    c.header('Content-Security-Policy', PAGE_POLICY)
    return c.body(await buffer(found.body))
  })
  app.get('/api/backups/:env', async (c) => c.json(await listBackups({ ...source, environment: c.req.param('env') })))

  app.get('/runs', async (c) => {
    const environment = c.req.query('environment')
    if (!environment) return c.redirect('/')
    const filters = { environment, ...runFilters(c) }
    const runs = await listRuns({ ...source, environment, limit: 100 })
    c.header('Content-Security-Policy', PAGE_POLICY)
    return c.html(renderRunsPage(filters, filterRuns(runs, filters)))
  })
  app.get('/runs/:id', async (c) => {
    // A fresh nonce per page: the run page's own script runs, no other.
    const nonce = randomBytes(16).toString('base64')
    c.header('Content-Security-Policy', pagePolicy(nonce))
    return c.html(renderRunPage(await showRun({ ...source, runId: c.req.param('id') }), nonce))
  })
  app.get('/backups', async (c) => {
    c.header('Content-Security-Policy', PAGE_POLICY)
    const catalogs = await Promise.all((await environmentsOverview(source)).map(async (e): Promise<EnvironmentBackups> => {
      try {
        const { dir, backups } = await listBackups({ ...source, environment: e.name })
        return { environment: e.name, dir, backups, maxAgeMs: e.maxBackupAgeMs, problem: null }
      } catch (error) {
        return { environment: e.name, dir: null, backups: [], maxAgeMs: null, problem: (error as Error).message }
      }
    }))
    return c.html(renderBackupsPage(catalogs))
  })
  registerActions(app, source)

  app.get('/', async (c) => {
    c.header('Content-Security-Policy', PAGE_POLICY)
    return c.html(renderEnvironmentsPage(await environmentsOverview(source)))
  })

  app.onError((error, c: Context) => {
    // A bad run id or environment is the caller's mistake; anything else is ours, said without a stack.
    if (error instanceof RolloutError) return c.json({ error: error.message }, error.code === 'USAGE' ? 404 : 400)
    return c.json({ error: `unexpected: ${error.message}` }, 500)
  })
  return app
}

/** The runs filters a request names: outcome (status), who (user), release. */
function runFilters(c: Context): { status?: string; user?: string; release?: string } {
  const pick = (name: string) => c.req.query(name) || undefined
  const [status, user, release] = [pick('status'), pick('user'), pick('release')]
  return { ...(status ? { status } : {}), ...(user ? { user } : {}), ...(release ? { release } : {}) }
}
