import { Router } from 'express'
import { listEvents } from '../services/calendar.js'
import { getClient, listClients } from '../services/clients.js'
import { dashboardSummary } from '../services/dashboard.js'
import { listInventory } from '../services/inventory.js'
import { listOrders } from '../services/orders.js'
import { dashboardPage } from '../views/dashboard.js'
import { calendarPage, clientPage, clientsPage, inventoryPage } from '../views/overview.js'
import { errorPage } from '../views/error.js'
import { positiveInt, requireStaff, sendPage, staffNav, type PageDeps } from './support.js'

const INVENTORY_PAGE = 100

/** The staff pages that only read: dashboard, inventory, clients, calendar. */
export function overviewPages(deps: PageDeps): Router {
  const router = Router()
  const { store } = deps
  for (const path of ['/dashboard', '/inventory', '/clients', '/relationships', '/calendar']) router.use(path, requireStaff(deps))

  router.get('/dashboard', async (_req, res) => {
    const [summary, recent] = await Promise.all([dashboardSummary(store), listOrders(store, { limit: 10 })])
    sendPage(res, dashboardPage(summary, recent.items, staffNav(res)))
  })

  router.get('/inventory', async (req, res) => {
    const search = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 60) : ''
    const page = positiveInt(req.query.page) ?? 1
    const { items, total } = await listInventory(store, { search, limit: INVENTORY_PAGE, offset: (page - 1) * INVENTORY_PAGE })
    sendPage(res, inventoryPage(items, { total, search, page, pages: Math.max(1, Math.ceil(total / INVENTORY_PAGE)) }, staffNav(res)))
  })

  // TERP's client list lives under /relationships; /clients leads there.
  router.get('/clients', (_req, res) => res.redirect(302, '/relationships'))
  router.get('/relationships', async (_req, res) => sendPage(res, clientsPage(await listClients(store), staffNav(res))))

  router.get('/clients/:id', async (req, res) => {
    const id = positiveInt(req.params.id)
    const client = id ? await getClient(store, id) : null
    if (!client) return sendPage(res, errorPage(404, `There is no client ${req.params.id}.`), 404)
    sendPage(res, clientPage(client, staffNav(res)))
  })

  router.get('/calendar', async (_req, res) => sendPage(res, calendarPage(await listEvents(store), staffNav(res))))
  return router
}
