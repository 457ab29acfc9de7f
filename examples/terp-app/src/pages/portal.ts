import { Router } from 'express'
import { parseCookies, PORTAL_COOKIE, readSession } from '../http/session.js'
import { clientOrders } from '../services/clients.js'
import { portalPage } from '../views/portal.js'
import { sendPage, type PageDeps } from './support.js'

/** The VIP client portal: a logged-in client sees its own orders, and only those. */
export function portalPages(deps: PageDeps): Router {
  const router = Router()
  router.get('/vip-portal', async (req, res) => {
    const client = readSession(deps.sessionSecret, parseCookies(req.headers.cookie)[PORTAL_COOKIE], 'portal')
    if (!client) return res.redirect(303, '/vip-portal/login')
    sendPage(res, portalPage(client, await clientOrders(deps.store, client.id, 50)))
  })
  return router
}
