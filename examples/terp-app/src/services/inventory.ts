import { asc, count, like, or } from 'drizzle-orm'
import { products } from '../db/schema.js'
import type { Store } from './store.js'

export interface InventoryItem {
  id: number
  sku: string
  name: string
  category: string
  priceCents: number
  stock: number
  reorderLevel: number
}

/** One page of products by SKU, optionally filtered by SKU or name. */
export async function listInventory(store: Store, opts: { search?: string; limit?: number; offset?: number } = {}): Promise<{ items: InventoryItem[]; total: number }> {
  const where = opts.search ? or(like(products.sku, `%${opts.search}%`), like(products.name, `%${opts.search}%`)) : undefined
  const [items, [total]] = await Promise.all([
    store.db.select().from(products).where(where).orderBy(asc(products.sku)).limit(opts.limit ?? 100).offset(opts.offset ?? 0),
    store.db.select({ n: count() }).from(products).where(where),
  ])
  return { items, total: total!.n }
}
