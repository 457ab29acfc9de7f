import { createExpressMiddleware } from '@trpc/server/adapters/express'
import express, { type ErrorRequestHandler } from 'express'
import type { Database } from './db/connection.js'
import { healthRoutes } from './http/health.js'
import { hostGuard, hsts } from './http/host-guard.js'
import { noteFailure, requestLog } from './http/request-log.js'
import { parseCookies, readSession, STAFF_COOKIE } from './http/session.js'
import type { Logger } from './log.js'
import { authPages } from './pages/auth.js'
import { orderPages } from './pages/orders.js'
import { overviewPages } from './pages/overview.js'
import { portalPages } from './pages/portal.js'
import { sendPage, type PageDeps } from './pages/support.js'
import type { Release } from './release.js'
import type { Store } from './services/store.js'
import { appRouter } from './trpc/router.js'
import { errorPage } from './views/error.js'

export interface AppOptions {
  database: Database
  release: Release
  log: Logger
  sessionSecret: string
  allowedHosts: string[]
  /** Served over HTTPS: HSTS and Secure cookies. */
  secure: boolean
}

/**
 * The whole app. Order matters: every request is logged; HSTS goes on every HTTPS answer (the
 * host guard's refusals too); the host guard runs before anything else answers; health answers
 * without a session; then the API and the pages.
 */
export function createApp(o: AppOptions): express.Express {
  const store: Store = { db: o.database.db, features: o.release.features }
  const deps: PageDeps = { store, sessionSecret: o.sessionSecret, secure: o.secure }
  const app = express()
  app.disable('x-powered-by')
  app.use(requestLog(o.log))
  if (o.secure) app.use(hsts)
  app.use(hostGuard(o.allowedHosts))
  app.get('/favicon.ico', (_req, res) => void res.status(204).end())
  app.use(healthRoutes(o.database.pool, o.release))

  app.use(
    '/api/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req }) => ({
        store,
        staff: readSession(o.sessionSecret, parseCookies(req.headers.cookie)[STAFF_COOKIE], 'staff'),
        pool: o.database.pool,
      }),
      onError: ({ error, req }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') noteFailure(req, error.cause ?? error)
      },
    }),
  )

  app.use(express.urlencoded({ extended: false, limit: '20kb' }))
  app.use(authPages(deps))
  app.use(overviewPages(deps))
  app.use(orderPages(deps))
  app.use(portalPages(deps))

  app.use((req, res) => sendPage(res, errorPage(404, `Nothing at ${req.path}.`), 404))
  const onError: ErrorRequestHandler = (error: Error, req, res, next) => {
    noteFailure(req, error)
    if (res.headersSent) return next(error)
    sendPage(res, errorPage(500, 'The server could not complete this request. It has been logged.'), 500)
  }
  app.use(onError)
  return app
}
