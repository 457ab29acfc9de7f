import { asc, count, desc, eq, inArray, sql } from 'drizzle-orm'
import { clients, orderLines, orderLinesWithDiscount, orderNotes, orders, ordersWithPriority, products } from '../db/schema.js'
import { lineDiscountCents } from './pricing.js'
import { InputError, type Store } from './store.js'

export const PRIORITIES = ['low', 'normal', 'high'] as const

export interface OrderRow {
  id: number
  clientId: number
  clientName: string
  status: string
  placedAt: Date
  totalCents: number
  /** Only in releases with order priority. */
  priority?: string
}

/** What an order row shows, in the list and on the order's page. */
function rowColumns(store: Store) {
  return {
    id: orders.id,
    clientId: orders.clientId,
    clientName: clients.name,
    status: orders.status,
    placedAt: orders.placedAt,
    totalCents: orders.totalCents,
    ...(store.features.orderPriority ? { priority: ordersWithPriority.priority } : {}),
  }
}

/** One page of orders, newest first. */
export async function listOrders(store: Store, opts: { limit?: number; offset?: number } = {}): Promise<{ items: OrderRow[]; total: number }> {
  const [items, [total]] = await Promise.all([
    store.db.select(rowColumns(store)).from(orders).innerJoin(clients, eq(clients.id, orders.clientId)).orderBy(desc(orders.placedAt), desc(orders.id)).limit(opts.limit ?? 50).offset(opts.offset ?? 0),
    store.db.select({ n: count() }).from(orders),
  ])
  return { items, total: total!.n }
}

export interface OrderDetails extends OrderRow {
  lines: { sku: string; name: string; qty: number; unitPriceCents: number; discountCents?: number }[]
  /** Only in releases with order notes. */
  notes?: { author: string; body: string; createdAt: Date }[]
}

export async function getOrder(store: Store, id: number): Promise<OrderDetails | null> {
  const [order] = await store.db.select(rowColumns(store)).from(orders).innerJoin(clients, eq(clients.id, orders.clientId)).where(eq(orders.id, id)).limit(1)
  if (!order) return null
  const lineColumns = {
    sku: products.sku,
    name: products.name,
    qty: orderLines.qty,
    unitPriceCents: orderLines.unitPriceCents,
    ...(store.features.lineDiscounts ? { discountCents: orderLinesWithDiscount.discountCents } : {}),
  }
  const [lines, notes] = await Promise.all([
    store.db.select(lineColumns).from(orderLines).innerJoin(products, eq(products.id, orderLines.productId)).where(eq(orderLines.orderId, id)).orderBy(asc(orderLines.id)),
    store.features.orderNotes
      ? store.db.select({ author: orderNotes.author, body: orderNotes.body, createdAt: orderNotes.createdAt }).from(orderNotes).where(eq(orderNotes.orderId, id)).orderBy(asc(orderNotes.id))
      : undefined,
  ])
  return { ...order, lines, ...(notes ? { notes } : {}) }
}

/** What the new-order form offers: every client (the first preselected) and an SKU that is in stock. */
export async function orderFormChoices(store: Store): Promise<{ clients: { id: number; name: string }[]; defaultSku: string }> {
  const [clientList, [product]] = await Promise.all([
    store.db.select({ id: clients.id, name: clients.name }).from(clients).orderBy(asc(clients.name)),
    store.db.select({ sku: products.sku }).from(products).where(sql`${products.stock} > 0`).orderBy(asc(products.sku)).limit(1),
  ])
  return { clients: clientList, defaultSku: product?.sku ?? '' }
}

export interface NewOrder {
  clientId: number
  items: { sku: string; qty: number }[]
  priority?: (typeof PRIORITIES)[number]
}

/**
 * Places an order: checks the client and the SKUs, prices the lines at today's prices, and writes
 * the order, its lines and the stock change in one transaction. Bad input throws InputError.
 */
export async function createOrder(store: Store, input: NewOrder, createdBy: number | null): Promise<{ id: number; totalCents: number }> {
  const { db, features } = store
  if (input.items.length === 0) throw new InputError('an order needs at least one item')
  for (const item of input.items) {
    if (!Number.isInteger(item.qty) || item.qty < 1 || item.qty > 999) throw new InputError(`quantity for ${item.sku}: expected a whole number from 1 to 999`)
  }
  const [client] = await db.select({ id: clients.id, name: clients.name, tier: clients.tier }).from(clients).where(eq(clients.id, input.clientId)).limit(1)
  if (!client) throw new InputError(`no client with id ${input.clientId}`)
  const skus = [...new Set(input.items.map((i) => i.sku.trim()))]
  const found = await db.select({ id: products.id, sku: products.sku, priceCents: products.priceCents }).from(products).where(inArray(products.sku, skus))
  const bySku = new Map(found.map((p) => [p.sku, p]))
  const missing = skus.filter((s) => !bySku.has(s))
  if (missing.length) throw new InputError(`unknown SKU: ${missing.join(', ')}`)

  const lines = input.items.map((item) => {
    const product = bySku.get(item.sku.trim())!
    const discountCents = features.lineDiscounts ? lineDiscountCents(client.tier, item.qty, product.priceCents) : 0
    return { productId: product.id, qty: item.qty, unitPriceCents: product.priceCents, discountCents }
  })
  const totalCents = lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents - l.discountCents, 0)
  const placed = { clientId: client.id, status: 'open', placedAt: new Date(), totalCents, createdBy }

  const id = await db.transaction(async (tx) => {
    const [row] = features.orderPriority
      ? await tx.insert(ordersWithPriority).values({ ...placed, priority: input.priority ?? (client.tier === 'vip' ? 'high' : 'normal') }).$returningId()
      : await tx.insert(orders).values(placed).$returningId()
    const orderId = row!.id
    if (features.lineDiscounts) await tx.insert(orderLinesWithDiscount).values(lines.map((l) => ({ ...l, orderId })))
    else await tx.insert(orderLines).values(lines.map(({ discountCents: _, ...l }) => ({ ...l, orderId })))
    for (const l of lines) await tx.update(products).set({ stock: sql`GREATEST(${products.stock} - ${l.qty}, 0)` }).where(eq(products.id, l.productId))
    return orderId
  })
  return { id, totalCents }
}

/** Adds a note to an order (releases with order notes). */
export async function addOrderNote(store: Store, orderId: number, author: string, body: string): Promise<void> {
  const text = body.trim()
  if (!text) throw new InputError('a note needs some text')
  if (text.length > 2000) throw new InputError('a note holds at most 2000 characters')
  const [order] = await store.db.select({ id: orders.id }).from(orders).where(eq(orders.id, orderId)).limit(1)
  if (!order) throw new InputError(`no order with id ${orderId}`)
  await store.db.insert(orderNotes).values({ orderId, author, body: text, createdAt: new Date() })
}
