import { Router } from 'express'
import { addOrderNote, createOrder, getOrder, listOrders, orderFormChoices, PRIORITIES, type NewOrder } from '../services/orders.js'
import { InputError } from '../services/store.js'
import { errorPage } from '../views/error.js'
import { newOrderPage, orderPage, ordersPage } from '../views/orders.js'
import { positiveInt, requireStaff, sendPage, staffNav, type PageDeps } from './support.js'

const PAGE_SIZE = 50

export function orderPages(deps: PageDeps): Router {
  const router = Router()
  const { store } = deps
  router.use('/orders', requireStaff(deps))
  router.use('/sales', requireStaff(deps))

  // TERP's orders live on the sales page: its list, and its create-order tab.
  router.get('/orders', (req, res) => res.redirect(302, `/sales${req.query.page ? `?page=${encodeURIComponent(String(req.query.page))}` : ''}`))
  router.get('/orders/new', (_req, res) => res.redirect(302, '/sales?tab=create-order'))

  router.get('/sales', async (req, res, next) => {
    if (req.query.tab !== 'create-order') return next()
    const choices = await orderFormChoices(store)
    sendPage(res, newOrderPage({ clients: choices.clients, sku: choices.defaultSku, qty: '1', ...(store.features.orderPriority ? { priority: 'normal' } : {}) }, staffNav(res)))
  })

  router.get('/sales', async (req, res) => {
    const { total } = await listOrders(store, { limit: 1 })
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
    const page = Math.min(positiveInt(req.query.page) ?? 1, pages)
    const { items } = await listOrders(store, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })
    sendPage(res, ordersPage(items, { page, pages, total }, staffNav(res)))
  })

  router.post('/orders', async (req, res) => {
    const body = req.body as Record<string, string | undefined>
    const priority = PRIORITIES.find((p) => p === body.priority)
    const order: NewOrder = { clientId: positiveInt(body.clientId) ?? 0, items: [{ sku: body.sku ?? '', qty: Number(body.qty) }], ...(store.features.orderPriority && priority ? { priority } : {}) }
    try {
      const { id } = await createOrder(store, order, res.locals.staff.id)
      res.redirect(303, `/orders/${id}?created=1`)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      const choices = await orderFormChoices(store)
      const form = { clients: choices.clients, clientId: order.clientId, sku: body.sku ?? '', qty: body.qty ?? '', error: error.message, ...(store.features.orderPriority ? { priority: priority ?? 'normal' } : {}) }
      sendPage(res, newOrderPage(form, staffNav(res)), 400)
    }
  })

  router.get('/orders/:id', async (req, res) => {
    const id = positiveInt(req.params.id)
    const order = id ? await getOrder(store, id) : null
    if (!order) return sendPage(res, errorPage(404, `There is no order ${req.params.id}.`), 404)
    sendPage(res, orderPage(order, req.query.created === '1', staffNav(res)))
  })

  router.post('/orders/:id/notes', async (req, res) => {
    const id = positiveInt(req.params.id)
    if (!store.features.orderNotes || !id) return sendPage(res, errorPage(404, 'Notes are not available here.'), 404)
    try {
      await addOrderNote(store, id, res.locals.staff.name, String((req.body as Record<string, unknown>).body ?? ''))
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      return sendPage(res, errorPage(400, error.message), 400)
    }
    res.redirect(303, `/orders/${id}`)
  })
  return router
}
