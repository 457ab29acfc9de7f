import type { Context, Hono } from 'hono'
import type { ConfigSource } from '../app/config-source.js'
import { showRun, unlockEnvironment } from '../app/history.js'
import { rollbackRollout, runRollout } from '../app/runs.js'
import { escapeHtml } from '../shared/html.js'
import { page, pagePolicy } from './page-frame.js'

/** How long a POST waits for the rollback to be refused (a newer run, a lock) before showing the run's page. */
const REFUSAL_WINDOW_MS = 1500

/**
 * A state-changing request must come from the dashboard's own pages: its Origin (or, lacking one,
 * its Referer) is this server. SameSite=Strict keeps the session cookie off other sites' requests;
 * this also stops a page elsewhere from posting to a dashboard on loopback, which needs no token.
 */
export function sameOrigin(c: Context): boolean {
  // Browsers say where a request comes from themselves; a page cannot forge this header.
  const site = c.req.header('sec-fetch-site')
  if (site) return site === 'same-origin'
  const host = c.req.header('host')
  if (!host) return false
  const from = c.req.header('origin') ?? originOf(c.req.header('referer'))
  return from === `http://${host}`
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined
  } catch {
    return undefined
  }
}

function confirmPage(title: string, what: string, action: string, button: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>
<p>${what}</p>
<form method="post" action="${escapeHtml(action)}"><button>${escapeHtml(button)}</button> <a href="/">cancel</a></form>`)
}

function messagePage(title: string, message: string, ok: boolean): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p class="${ok ? 'good' : 'bad'}">${escapeHtml(message)}</p>\n<p><a href="/">Back to the environments</a></p>`)
}

/**
 * The actions, each a confirmation page (GET) and the action itself (POST, same origin only): start
 * a run, roll back a run, unlock an environment whose lock holder is gone. They run the CLI's own
 * operations, holding the lock as the CLI does.
 */
export function registerActions(app: Hono, source: ConfigSource): void {
  app.use('*', async (c, next) => {
    c.header('Content-Security-Policy', pagePolicy())
    if (c.req.method === 'POST' && !sameOrigin(c)) return c.html(messagePage('Refused', 'this request did not come from the dashboard\'s own page (its Origin is another site)', false), 403)
    return next()
  })

  app.get('/runs/:id/rollback', async (c) => {
    const { run } = await showRun({ ...source, runId: c.req.param('id') })
    return c.html(confirmPage(`Roll back run ${run.id}?`, `Every step of run <strong>${escapeHtml(run.id)}</strong> on <strong>${escapeHtml(run.environment)}</strong> that changed the environment is undone, newest first (the database restored from the run's backup), then the smoke tests prove the rollback, as <code>rollout rollback ${escapeHtml(run.id)}</code> does. Refused when a newer run changed the environment since.`, `/runs/${encodeURIComponent(run.id)}/rollback`, 'Roll back'))
  })
  app.post('/runs/:id/rollback', async (c) => {
    const { run } = await showRun({ ...source, runId: c.req.param('id') })
    const rollback = rollbackRollout({ ...source, target: run.id, reason: 'rolled back from the dashboard' })
    // The rollback goes on after this answer (its page follows it live); a refusal comes at once.
    const early = await Promise.race([rollback.then(() => null, (error: Error) => error), new Promise<null>((r) => setTimeout(r, REFUSAL_WINDOW_MS))])
    rollback.catch(() => undefined)
    if (early) return c.html(messagePage('Rollback refused', early.message, false), 409)
    return c.redirect(`/runs/${encodeURIComponent(run.id)}`, 303)
  })

  app.get('/environments/:env/run', async (c) => {
    const env = c.req.param('env')
    return c.html(page(`Start a run of ${env}`, `<h1>Start a run of ${escapeHtml(env)}</h1>
<p>The whole rollout of <strong>${escapeHtml(env)}</strong>, as <code>rollout run ${escapeHtml(env)} --release &lt;release&gt;</code> does: it holds the environment's lock, and rolls back app and database if a check fails after the point of no return.</p>
<form method="post" action="/environments/${encodeURIComponent(env)}/run"><label>release <input name="release" required></label> <button>Start the run</button> <a href="/">cancel</a></form>`))
  })
  app.post('/environments/:env/run', async (c) => {
    const release = String((await c.req.parseBody()).release ?? '').trim()
    if (!release) return c.html(messagePage('Run refused', 'name the release to deploy', false), 400)
    let started: (id: string) => void = () => undefined
    const runId = new Promise<string>((resolve) => (started = resolve))
    const run = runRollout({ ...source, environment: c.req.param('env'), release, onEvent: (e) => { if (e.type === 'run-started') started(e.runId) } })
    // The run goes on after this answer; its page follows it. A refusal (a held lock, a bad config) comes before it starts.
    const first = await Promise.race([runId.then((id) => ({ id })), run.then((r) => ({ id: r.runId }), (error: Error) => ({ error }))])
    run.catch(() => undefined)
    if ('error' in first) return c.html(messagePage('Run refused', first.error.message, false), 409)
    return c.redirect(`/runs/${encodeURIComponent(first.id)}`, 303)
  })

  app.get('/environments/:env/unlock', async (c) => {
    const env = c.req.param('env')
    return c.html(confirmPage(`Unlock ${env}?`, `The lock on <strong>${escapeHtml(env)}</strong> is removed and the holder's record notes it, as <code>rollout unlock ${escapeHtml(env)} --force</code> does. Only for a holder that is gone: refused while its process is alive on this machine.`, `/environments/${encodeURIComponent(env)}/unlock`, 'Unlock'))
  })
  app.post('/environments/:env/unlock', async (c) => {
    try {
      return c.html(messagePage('Unlocked', await unlockEnvironment({ ...source, environment: c.req.param('env') }), true))
    } catch (error) {
      return c.html(messagePage('Unlock refused', (error as Error).message, false), 409)
    }
  })
}
