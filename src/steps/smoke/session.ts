import { createHash } from 'node:crypto'
import type { StepContext } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { CookieJar } from '../../adapters/trpc/cookies.js'
import { resolveUrl } from '../url.js'
import type { ResolvedTerp } from './terp-flows.js'

/**
 * One TERP login per smoke pass, shared by the steps of that pass: the `trpc` step's calls and the
 * `browser` step's flows use the same session. TERP locks an account after 10 failed logins in 15
 * minutes, so a failed login is remembered for the pass and never tried again: every step that
 * needs it fails at once with the first answer. Sessions live in this process only, never in the
 * record or the evidence.
 */

export const NO_RETRY = 'not retried: TERP locks the account after 10 failed logins in 15 minutes, so the smoke tests log in once per pass'

export type SessionResult = { ok: true; jar: CookieJar; url: string } | { ok: false; problem: string }

const sessions = new Map<string, Promise<SessionResult>>()

type Ctx = Pick<StepContext<unknown>, 'runId' | 'provingRollback' | 'environment' | 'signal' | 'log' | 'redactor'>

/** The pass's session: logs in the first time a step of the pass asks, else returns what that login gave. */
export async function terpSession(ctx: Ctx, terp: ResolvedTerp, reach: { ca?: string; timeoutMs: number }): Promise<SessionResult> {
  const { username, password } = terp.user
  if (!username || !password) {
    return { ok: false, problem: 'no TERP login configured: set smoke.terp.user { username, password } (password as secret(env(...))); nothing was tried' }
  }
  ctx.redactor.add(password)
  const url = resolveUrl(ctx.environment.url, terp.paths.apiLogin)
  const who = createHash('sha256').update(`${username}\0${password}`).digest('hex').slice(0, 16)
  const key = [ctx.runId, ctx.provingRollback ? 'proof' : 'run', url, who].join('|')
  const known = sessions.get(key)
  if (known) {
    const result = await known
    ctx.log(result.ok ? `login: reusing this pass's session (${result.jar.names().join(', ')}); no second login` : `login: failed earlier in this pass; ${NO_RETRY}`)
    return result
  }
  const pending = logIn(ctx, url, username, password, terp.sessionCookie, reach)
  sessions.set(key, pending)
  return pending
}

async function logIn(ctx: Ctx, url: string, username: string, password: string, cookie: string, reach: { ca?: string; timeoutMs: number }): Promise<SessionResult> {
  ctx.log(`login: POST ${url} as ${username} (once for this pass)`)
  const jar = new CookieJar()
  try {
    const res = await httpRequest({
      url,
      method: 'POST',
      body: JSON.stringify({ username, password }),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      resolve: ctx.environment.resolve,
      ca: reach.ca,
      timeoutMs: reach.timeoutMs,
      signal: ctx.signal,
    })
    jar.absorb(res.headers['set-cookie'])
    for (const value of jar.values()) ctx.redactor.add(value)
    if (res.status >= 400) return { ok: false, problem: `login POST ${url} failed: HTTP ${res.status}${res.status === 429 ? ' (too many attempts: the account may be locked)' : ''}; ${NO_RETRY}` }
    if (!jar.names().includes(cookie)) {
      return { ok: false, problem: `login POST ${url} answered HTTP ${res.status} without setting the ${cookie} cookie${jar.names().length ? ` (it set ${jar.names().join(', ')})` : ''}; ${NO_RETRY}` }
    }
    ctx.log(`login: session cookie ${jar.names().join(', ')} kept for this pass`)
    return { ok: true, jar, url }
  } catch (error) {
    if (!(error instanceof HttpRequestError)) throw error
    return { ok: false, problem: `login POST ${url} failed: ${error.message}; ${NO_RETRY}` }
  }
}

/** The session's cookies as a browser context's storage state for the environment's origin. */
export function browserState(session: { jar: CookieJar; url: string }): { cookies: { name: string; value: string; domain: string; path: string; expires: number; httpOnly: boolean; secure: boolean; sameSite: 'Lax' }[]; origins: [] } {
  const u = new URL(session.url)
  return {
    cookies: session.jar.entries().map((c) => ({
      name: c.name,
      value: c.value,
      domain: u.hostname,
      path: c.path,
      expires: c.expires !== undefined ? Math.floor(c.expires / 1000) : -1,
      httpOnly: true,
      secure: u.protocol === 'https:',
      sameSite: 'Lax' as const,
    })),
    origins: [],
  }
}

/** Forgets every session (tests). */
export function forgetSessions(): void {
  sessions.clear()
}
