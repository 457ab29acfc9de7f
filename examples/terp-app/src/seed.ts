import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import bcrypt from 'bcryptjs'
import { count } from 'drizzle-orm'
import type { MySqlTable } from 'drizzle-orm/mysql-core'
import { openDatabase } from './db/connection.js'
import { applyMigrations, writeMigrationsUpTo } from './db/migrations.js'
import { calendarEvents, clients, orderLines, orders, products, users } from './db/schema.js'
import { readRelease, RELEASE_DIR } from './release.js'
import { FULL_VOLUME, generate, SMALL_VOLUME, type Volume } from './seed-data.js'

export const SEED_PASSWORD = 'password'

export interface SeedOptions {
  /** mysql://… of the database to fill. */
  url: string
  /** Row counts: 'full' (default, about 300 clients and 20 000 orders), 'small' for tests, or your own. */
  volume?: 'full' | 'small' | Partial<Volume>
  /** The day the data is arranged around (orders before it, calendar events on both sides). Default: today (UTC). */
  now?: Date
  /** The pseudo-random sequence's seed. */
  seed?: number
  /** Empty the tables first when they already hold rows (else a filled database is an error). */
  reset?: boolean
  /** Migrations creating the schema; default this release folder's, or v1's when run from the example's source. */
  migrationsFolder?: string
}

export interface SeedReport {
  rows: Record<'users' | 'clients' | 'products' | 'orders' | 'order_lines' | 'calendar_events', number>
  seconds: number
}

// Rows per INSERT: large enough to be fast, well under the server's packet and placeholder limits.
const CHUNK = 1000

/** This release folder's migrations; run from the example's source, v1's (written to a temporary folder). */
function withDefaultMigrations<T>(use: (folder: string) => Promise<T>): Promise<T> {
  if (existsSync(path.join(RELEASE_DIR, 'release.json'))) return use(path.join(RELEASE_DIR, 'migrations'))
  const v1 = readRelease(path.join(RELEASE_DIR, 'releases', 'v1'))
  const folder = mkdtempSync(path.join(os.tmpdir(), 'terp-v1-migrations-'))
  writeMigrationsUpTo(path.join(RELEASE_DIR, 'migrations'), v1.migrations ?? '', folder)
  return use(folder).finally(() => rmSync(folder, { recursive: true, force: true }))
}

function resolveVolume(v: SeedOptions['volume']): Volume {
  if (v === undefined || v === 'full') return FULL_VOLUME
  if (v === 'small') return SMALL_VOLUME
  return { ...FULL_VOLUME, ...v }
}

/** Creates the schema (by running the migrations) and fills it with the generated rows, in multi-row inserts. */
export async function seed(opts: SeedOptions): Promise<SeedReport> {
  const started = performance.now()
  const today = opts.now ?? new Date(new Date().setUTCHours(0, 0, 0, 0))
  const data = generate(resolveVolume(opts.volume), { now: today, seed: opts.seed ?? 20_261_101 })
  // One connection: FOREIGN_KEY_CHECKS below is per session.
  const database = openDatabase(opts.url, { connectionLimit: 1 })
  const { db } = database
  try {
    if (opts.migrationsFolder) await applyMigrations(db, database.pool, opts.migrationsFolder)
    else await withDefaultMigrations((folder) => applyMigrations(db, database.pool, folder))
    const [filled] = await db.select({ n: count() }).from(clients)
    if (filled!.n > 0) {
      if (!opts.reset) throw new Error(`the database already holds ${filled!.n} clients; seed an empty database, or reset it (--reset) to replace its rows`)
      const q = database.pool.promise()
      await q.query('SET FOREIGN_KEY_CHECKS = 0')
      const [rows] = await q.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> '__drizzle_migrations'")
      for (const { t } of rows as { t: string }[]) await q.query(`TRUNCATE TABLE \`${t}\``)
      await q.query('SET FOREIGN_KEY_CHECKS = 1')
    }
    // One hash for every account: bcrypt is slow on purpose, and they all share the demo password.
    const hash = await bcrypt.hash(SEED_PASSWORD, 10)
    const insert = async (table: MySqlTable, rows: Record<string, unknown>[]) => {
      for (let i = 0; i < rows.length; i += CHUNK) await db.insert(table).values(rows.slice(i, i + CHUNK))
    }
    await insert(users, data.users.map((u) => ({ ...u, passwordHash: hash })))
    await insert(clients, data.clients.map(({ portal, ...c }) => ({ ...c, portalPasswordHash: portal ? hash : null })))
    await insert(products, data.products)
    await insert(orders, data.orders)
    await insert(orderLines, data.orderLines)
    await insert(calendarEvents, data.events)
    return {
      rows: { users: data.users.length, clients: data.clients.length, products: data.products.length, orders: data.orders.length, order_lines: data.orderLines.length, calendar_events: data.events.length },
      seconds: Math.round(performance.now() - started) / 1000,
    }
  } finally {
    await database.close()
  }
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL
  if (!url) {
    process.stderr.write('DATABASE_URL is not set (mysql://user:password@host:port/database)\n')
    process.exit(2)
  }
  const args = process.argv.slice(2)
  const report = await seed({ url, reset: args.includes('--reset'), volume: args.includes('--small') ? 'small' : 'full' })
  const r = report.rows
  console.log(`seeded ${r.clients} clients, ${r.products} products, ${r.orders} orders, ${r.order_lines} order lines, ${r.calendar_events} calendar events, ${r.users} staff in ${report.seconds} s`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    process.stderr.write(`seed failed: ${error.message}\n`)
    process.exit(1)
  })
}
