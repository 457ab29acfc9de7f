import type { RequestHandler, Response } from 'express'
import { parseCookies, readSession, STAFF_COOKIE, type Session } from '../http/session.js'
import type { Store } from '../services/store.js'
import type { Html } from '../views/html.js'
import type { Nav } from '../views/layout.js'

export interface PageDeps {
  store: Store
  sessionSecret: string
  /** Served over HTTPS: cookies get the Secure flag. */
  secure: boolean
}

export function sendPage(res: Response, body: Html, status = 200): void {
  res.status(status).type('html').send(body.text)
}

/** Staff pages: the session in res.locals.staff, else off to the login form (and back afterwards). */
export function requireStaff(deps: PageDeps): RequestHandler {
  return (req, res, next) => {
    const staff = readSession(deps.sessionSecret, parseCookies(req.headers.cookie)[STAFF_COOKIE], 'staff')
    if (staff) {
      res.locals.staff = staff
      return next()
    }
    const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : ''
    res.redirect(303, `/login${back}`)
  }
}

export function staffNav(res: Response): Nav {
  return { user: (res.locals.staff as Session).name }
}

/** A positive whole number from a path or form value, else null. */
export function positiveInt(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN
  return n > 0 ? n : null
}

/** A local path to go back to after logging in; anything else (another site, //host, /\\host) becomes the fallback. */
export function safeNext(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback
}
