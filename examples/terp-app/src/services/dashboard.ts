import { and, count, gte, inArray, lte, sql, sum } from 'drizzle-orm'
import { calendarEvents, clients, orders, products } from '../db/schema.js'
import type { Store } from './store.js'

export const OPEN_STATUSES = ['open', 'picking', 'shipped']

export interface DashboardSummary {
  orders: number
  openOrders: number
  revenue30dCents: number
  clients: number
  lowStockProducts: number
  eventsNext7d: number
  generatedAt: Date
}

/** The dashboard's figures, each one query on the live data. */
export async function dashboardSummary(store: Store, now = new Date()): Promise<DashboardSummary> {
  const { db } = store
  const since = new Date(now.getTime() - 30 * 86_400_000)
  const weekAhead = new Date(now.getTime() + 7 * 86_400_000)
  const [[all], [open], [revenue], [clientCount], [lowStock], [events]] = await Promise.all([
    db.select({ n: count() }).from(orders),
    db.select({ n: count() }).from(orders).where(inArray(orders.status, OPEN_STATUSES)),
    db.select({ cents: sum(orders.totalCents) }).from(orders).where(and(gte(orders.placedAt, since), sql`${orders.status} <> 'cancelled'`)),
    db.select({ n: count() }).from(clients),
    db.select({ n: count() }).from(products).where(lte(products.stock, products.reorderLevel)),
    db.select({ n: count() }).from(calendarEvents).where(and(gte(calendarEvents.startsAt, now), lte(calendarEvents.startsAt, weekAhead))),
  ])
  return {
    orders: all!.n,
    openOrders: open!.n,
    revenue30dCents: Number(revenue!.cents ?? 0),
    clients: clientCount!.n,
    lowStockProducts: lowStock!.n,
    eventsNext7d: events!.n,
    generatedAt: now,
  }
}
