import { asc, count, desc, eq, sum } from 'drizzle-orm'
import { clients, orders } from '../db/schema.js'
import type { Store } from './store.js'

export interface ClientSummary {
  id: number
  name: string
  city: string
  tier: string
}

export async function listClients(store: Store): Promise<ClientSummary[]> {
  return store.db.select({ id: clients.id, name: clients.name, city: clients.city, tier: clients.tier }).from(clients).orderBy(asc(clients.name))
}

export interface ClientDetails extends ClientSummary {
  email: string
  phone: string
  portalAccess: boolean
  orderCount: number
  lifetimeCents: number
  recentOrders: { id: number; status: string; placedAt: Date; totalCents: number }[]
}

/** A client with its order figures and latest orders; null when there is no such client. */
export async function getClient(store: Store, id: number): Promise<ClientDetails | null> {
  const [client] = await store.db.select().from(clients).where(eq(clients.id, id)).limit(1)
  if (!client) return null
  const [[figures], recentOrders] = await Promise.all([
    store.db.select({ n: count(), cents: sum(orders.totalCents) }).from(orders).where(eq(orders.clientId, id)),
    clientOrders(store, id, 10),
  ])
  return {
    id: client.id,
    name: client.name,
    city: client.city,
    tier: client.tier,
    email: client.email,
    phone: client.phone,
    portalAccess: client.portalPasswordHash !== null,
    orderCount: figures!.n,
    lifetimeCents: Number(figures!.cents ?? 0),
    recentOrders,
  }
}

/** A client's orders, newest first (also what the VIP portal shows the client). */
export async function clientOrders(store: Store, clientId: number, limit = 50) {
  return store.db
    .select({ id: orders.id, status: orders.status, placedAt: orders.placedAt, totalCents: orders.totalCents })
    .from(orders)
    .where(eq(orders.clientId, clientId))
    .orderBy(desc(orders.placedAt), desc(orders.id))
    .limit(limit)
}
