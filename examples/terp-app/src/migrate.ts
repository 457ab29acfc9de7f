import path from 'node:path'
import { openDatabase } from './db/connection.js'
import { appliedMigrations, applyMigrations, migrationDrift, migrationFileProblems, readMigrations } from './db/migrations.js'
import { schemaDifferences } from './db/schema-check.js'
import { releaseTables } from './db/schema.js'
import { readRelease, RELEASE_DIR } from './release.js'

/**
 * `node --import tsx src/migrate.ts` in a release folder: applies its migrations/ to DATABASE_URL
 * and says what it applied.
 *   --check-files  checks the migrations folder alone (no database): journal, files, order
 *   --check        checks the database against this release: every migration applied and
 *                  unchanged, and every table and column the code uses present
 * Exit 0 when all is well, 1 when not (the reasons on stderr), 2 on a usage error.
 */
const folder = path.join(RELEASE_DIR, 'migrations')
const release = readRelease()
const mode = process.argv[2] ?? 'apply'

/** The database's own words first; Drizzle wraps them in "Failed query: <the whole SQL>". */
function reason(error: unknown): string {
  const e = error as Error & { cause?: unknown; query?: string }
  if (e.cause instanceof Error && typeof e.query === 'string') return `${e.cause.message} (in: ${e.query.trim().split('\n')[0]})`
  return e.message
}

function fail(lines: string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`)
  process.exit(1)
}

if (!['apply', '--check', '--check-files'].includes(mode)) {
  process.stderr.write(`unknown option ${mode}; use --check or --check-files, or nothing to apply the migrations\n`)
  process.exit(2)
}

if (mode === '--check-files') {
  const problems = migrationFileProblems(folder)
  if (problems.length) fail([`migrations of ${release.id} are not consistent:`, ...problems.map((p) => `  - ${p}`)])
  console.log(`migrations of ${release.id}: ${readMigrations(folder).length} listed in the journal, all present and in order`)
  process.exit(0)
}

const url = process.env.DATABASE_URL
if (!url) {
  process.stderr.write('DATABASE_URL is not set (mysql://user:password@host:port/database)\n')
  process.exit(2)
}
const database = openDatabase(url, { connectionLimit: 1 })
try {
  if (mode === '--check') {
    const drift = migrationDrift(readMigrations(folder), await appliedMigrations(database.pool))
    const schema = await schemaDifferences(database.pool, releaseTables(release.features))
    const problems = [...drift, ...schema.problems]
    if (problems.length) fail([`the database does not match release ${release.id}:`, ...problems.map((p) => `  - ${p}`)])
    console.log(`the database matches release ${release.id}: migrations applied, ${schema.tables} tables and ${schema.columns} columns present`)
  } else {
    const started = performance.now()
    const applied = await applyMigrations(database.db, database.pool, folder)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    for (const m of applied) console.log(`applied ${m.tag} (${m.statements} statement${m.statements === 1 ? '' : 's'})`)
    const all = readMigrations(folder)
    console.log(applied.length ? `${applied.length} migration(s) applied in ${seconds} s; the database is at ${all.at(-1)!.tag}` : `nothing to apply: the database is at ${all.at(-1)?.tag ?? 'no migration'}`)
  }
} catch (error) {
  fail([`${mode === '--check' ? 'check' : 'migration'} failed: ${reason(error)}`])
} finally {
  await database.close()
}
