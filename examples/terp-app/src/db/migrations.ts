import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { migrate } from 'drizzle-orm/mysql2/migrator'
import type { Pool } from 'mysql2'
import type { Db } from './connection.js'

/*
 * Drizzle's migrator format: <folder>/meta/_journal.json lists the migrations in order, each
 * <tag>.sql holds statements separated by `--> statement-breakpoint`. The database records each
 * applied migration in __drizzle_migrations (hash of the file, the entry's `when`); the migrator
 * applies every entry newer than the newest recorded one.
 */

export const MIGRATIONS_TABLE = '__drizzle_migrations'
const BREAKPOINT = '--> statement-breakpoint'

export interface Migration {
  tag: string
  when: number
  hash: string
  statements: number
}

/** The folder's migrations in journal order; throws naming the file that is missing or malformed. */
export function readMigrations(folder: string): Migration[] {
  const journalFile = path.join(folder, 'meta', '_journal.json')
  if (!existsSync(journalFile)) throw new Error(`no migrations journal at ${journalFile}`)
  let journal: { entries?: { tag?: unknown; when?: unknown }[] }
  try {
    journal = JSON.parse(readFileSync(journalFile, 'utf8'))
  } catch (error) {
    throw new Error(`${journalFile}: not valid JSON (${(error as Error).message})`)
  }
  if (!Array.isArray(journal.entries)) throw new Error(`${journalFile}: expected an "entries" list`)
  return journal.entries.map((entry, i) => {
    if (typeof entry.tag !== 'string' || typeof entry.when !== 'number') throw new Error(`${journalFile}: entries[${i}]: expected a "tag" string and a "when" number`)
    const file = path.join(folder, `${entry.tag}.sql`)
    if (!existsSync(file)) throw new Error(`${journalFile}: entries[${i}] names ${entry.tag}, but ${file} does not exist`)
    const text = readFileSync(file, 'utf8')
    return { tag: entry.tag, when: entry.when, hash: createHash('sha256').update(text).digest('hex'), statements: text.split(BREAKPOINT).length }
  })
}

/**
 * Writes to `outFolder` the migrations of `folder` up to and including `lastTag`, with their own
 * journal: the migrations folder as it stood when that release was made (it only ever grows).
 */
export function writeMigrationsUpTo(folder: string, lastTag: string, outFolder: string): string[] {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] }
  const last = journal.entries.findIndex((e) => e.tag === lastTag)
  if (last < 0) throw new Error(`no migration ${JSON.stringify(lastTag)} in ${folder}: expected one of ${journal.entries.map((e) => e.tag).join(', ')}`)
  const entries = journal.entries.slice(0, last + 1)
  mkdirSync(path.join(outFolder, 'meta'), { recursive: true })
  for (const e of entries) copyFileSync(path.join(folder, `${e.tag}.sql`), path.join(outFolder, `${e.tag}.sql`))
  writeFileSync(path.join(outFolder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }, null, 2) + '\n')
  return entries.map((e) => e.tag)
}

/** What is wrong with the folder itself, without a database: journal order, files, empty statements. */
export function migrationFileProblems(folder: string): string[] {
  let migrations: Migration[]
  try {
    migrations = readMigrations(folder)
  } catch (error) {
    return [(error as Error).message]
  }
  const problems: string[] = []
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1]
    if (previous && m.when <= previous.when) problems.push(`${m.tag}: its "when" (${m.when}) is not after ${previous.tag}'s (${previous.when}), so the migrator would skip it`)
    const statements = readFileSync(path.join(folder, `${m.tag}.sql`), 'utf8').split(BREAKPOINT)
    statements.forEach((s, j) => {
      if (!s.trim()) problems.push(`${m.tag}.sql: statement ${j + 1} is empty (a breakpoint with nothing after it)`)
    })
  })
  const listed = new Set(migrations.map((m) => `${m.tag}.sql`))
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.sql') && !listed.has(f))) problems.push(`${file} is not in meta/_journal.json, so it would never run`)
  return problems
}

/** The migrations the database has recorded, oldest first; none when the table does not exist yet. */
export async function appliedMigrations(pool: Pool): Promise<{ hash: string; when: number }[]> {
  const [tables] = await pool.promise().query('SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [MIGRATIONS_TABLE])
  if ((tables as unknown[]).length === 0) return []
  const [rows] = await pool.promise().query(`SELECT hash, created_at AS \`when\` FROM \`${MIGRATIONS_TABLE}\` ORDER BY created_at, id`)
  return (rows as { hash: string; when: string | number }[]).map((r) => ({ hash: r.hash, when: Number(r.when) }))
}

/** The migrations the migrator will apply: those newer than the newest one recorded. */
export function pendingMigrations(migrations: Migration[], applied: { when: number }[]): Migration[] {
  const newest = Math.max(-Infinity, ...applied.map((a) => a.when))
  return migrations.filter((m) => m.when > newest)
}

/** Applies the pending migrations with Drizzle's own migrator; returns what it applied. */
export async function applyMigrations(db: Db, pool: Pool, folder: string): Promise<Migration[]> {
  const pending = pendingMigrations(readMigrations(folder), await appliedMigrations(pool))
  await migrate(db, { migrationsFolder: folder, migrationsTable: MIGRATIONS_TABLE })
  return pending
}

/** How the recorded migrations differ from the folder's: missing, edited after being applied, or unknown. */
export function migrationDrift(migrations: Migration[], applied: { hash: string; when: number }[]): string[] {
  const problems: string[] = []
  const byWhen = new Map(applied.map((a) => [a.when, a.hash]))
  for (const m of migrations) {
    const hash = byWhen.get(m.when)
    if (hash === undefined) problems.push(`migration ${m.tag} has not been applied`)
    else if (hash !== m.hash) problems.push(`migration ${m.tag} was changed after it was applied (its file's hash differs from the recorded one)`)
  }
  const known = new Set(migrations.map((m) => m.when))
  const unknown = applied.filter((a) => !known.has(a.when))
  if (unknown.length) problems.push(`the database has ${unknown.length} migration(s) this release does not know (a newer release migrated it)`)
  return problems
}
