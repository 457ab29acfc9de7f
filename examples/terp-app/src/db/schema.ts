import { datetime, int, mysqlTable, text, varchar } from 'drizzle-orm/mysql-core'
import type { Features } from '../release.js'

/*
 * The Drizzle tables, as the migrations in each release's migrations/ folder create them. Columns a
 * later migration adds live in a second definition of the same table, chosen by the release's
 * features: Drizzle names every column of a table in its inserts, so a release must not declare a
 * column its database does not have yet.
 */

export const users = mysqlTable('users', {
  id: int('id').autoincrement().primaryKey(),
  email: varchar('email', { length: 191 }).notNull().unique(),
  name: varchar('name', { length: 120 }).notNull(),
  passwordHash: varchar('password_hash', { length: 100 }).notNull(),
  role: varchar('role', { length: 20 }).notNull().default('staff'),
  createdAt: datetime('created_at').notNull(),
})

export const clients = mysqlTable('clients', {
  id: int('id').autoincrement().primaryKey(),
  name: varchar('name', { length: 160 }).notNull(),
  email: varchar('email', { length: 191 }).notNull().unique(),
  phone: varchar('phone', { length: 40 }).notNull(),
  city: varchar('city', { length: 80 }).notNull(),
  /** standard, silver, gold or vip. */
  tier: varchar('tier', { length: 20 }).notNull().default('standard'),
  /** Set for clients who may log in to the VIP portal. */
  portalPasswordHash: varchar('portal_password_hash', { length: 100 }),
  createdAt: datetime('created_at').notNull(),
})

export const products = mysqlTable('products', {
  id: int('id').autoincrement().primaryKey(),
  sku: varchar('sku', { length: 32 }).notNull().unique(),
  name: varchar('name', { length: 160 }).notNull(),
  category: varchar('category', { length: 60 }).notNull(),
  priceCents: int('price_cents').notNull(),
  stock: int('stock').notNull().default(0),
  reorderLevel: int('reorder_level').notNull().default(10),
})

const orderColumns = {
  id: int('id').autoincrement().primaryKey(),
  clientId: int('client_id').notNull().references(() => clients.id),
  /** open, picking, shipped, fulfilled or cancelled. */
  status: varchar('status', { length: 20 }).notNull().default('open'),
  placedAt: datetime('placed_at').notNull(),
  totalCents: int('total_cents').notNull().default(0),
  createdBy: int('created_by'),
}
export const orders = mysqlTable('orders', orderColumns)
/** orders after migration 0001. */
export const ordersWithPriority = mysqlTable('orders', { ...orderColumns, priority: varchar('priority', { length: 10 }).notNull().default('normal') })

const orderLineColumns = {
  id: int('id').autoincrement().primaryKey(),
  orderId: int('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
  productId: int('product_id').notNull().references(() => products.id),
  qty: int('qty').notNull(),
  unitPriceCents: int('unit_price_cents').notNull(),
}
export const orderLines = mysqlTable('order_lines', orderLineColumns)
/** order_lines after migration 0002. */
export const orderLinesWithDiscount = mysqlTable('order_lines', { ...orderLineColumns, discountCents: int('discount_cents').notNull().default(0) })

/** Added by migration 0001. */
export const orderNotes = mysqlTable('order_notes', {
  id: int('id').autoincrement().primaryKey(),
  orderId: int('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
  author: varchar('author', { length: 120 }).notNull(),
  body: text('body').notNull(),
  createdAt: datetime('created_at').notNull(),
})

export const calendarEvents = mysqlTable('calendar_events', {
  id: int('id').autoincrement().primaryKey(),
  title: varchar('title', { length: 200 }).notNull(),
  /** delivery, meeting or stocktake. */
  kind: varchar('kind', { length: 20 }).notNull(),
  startsAt: datetime('starts_at').notNull(),
  endsAt: datetime('ends_at').notNull(),
  clientId: int('client_id'),
})

/** The tables a release's code reads and writes, for schema checks. */
export function releaseTables(f: Features) {
  return [
    users,
    clients,
    products,
    f.orderPriority ? ordersWithPriority : orders,
    f.lineDiscounts ? orderLinesWithDiscount : orderLines,
    ...(f.orderNotes ? [orderNotes] : []),
    calendarEvents,
  ]
}
