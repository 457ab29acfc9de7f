/**
 * The run record's cost in each store: how many events a run can record per second (each one
 * committed before the next, as the recorder does), and the wall time of the quickstart rollout
 * (the good release) recorded in SQLite, PostgreSQL and MySQL. Prints a table; never passes or fails.
 *
 *   node --import tsx bench/store.ts [--events 2000] [--repeat 5]
 *
 * Servers: ROLLOUT_TEST_POSTGRES_URL (else postgres://postgres@127.0.0.1:5432/postgres) and
 * ROLLOUT_TEST_MYSQL_URL (else mysql://root@127.0.0.1:3306); a database is created on each and
 * dropped again.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openStoreAt } from '../src/adapters/store/open.js'
import type { StoreLocation } from '../src/adapters/store/location.js'
import { runRollout } from '../src/app/runs.js'
import { createTestDatabase } from '../test/support/mysql.js'
import { createPostgresDatabase } from '../test/support/postgres.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => Math.max(1, Number(args[args.indexOf(name) + 1] ?? fallback) || fallback)
const events = option('--events', 2000)
const repeat = option('--repeat', 5)
const work = mkdtempSync(path.join(os.tmpdir(), 'rollout-bench-store-'))

async function eventsPerSecond(location: StoreLocation): Promise<number> {
  const store = await openStoreAt(location)
  try {
    const started = performance.now()
    for (let i = 0; i < events; i++) {
      await store.appendEvent({ type: 'warning', message: `event ${i}`, runId: 'bench', at: new Date().toISOString() })
    }
    return events / ((performance.now() - started) / 1000)
  } finally {
    await store.close()
  }
}

/** The fastest of `repeat` quickstart rollouts (release "good": every step passes), in ms. */
async function rolloutMs(storeUrl: string | undefined): Promise<number> {
  let best = Infinity
  for (let i = 0; i < repeat; i++) {
    const dir = path.join(work, `quickstart-${Math.random().toString(36).slice(2)}`)
    cpSync(path.resolve(import.meta.dirname, '../examples/quickstart'), dir, { recursive: true })
    const env = { ...process.env, RELEASE: 'good', ...(storeUrl ? { ROLLOUT_STORE_URL: storeUrl } : {}) }
    const started = performance.now()
    const result = await runRollout({ cwd: dir, environment: 'staging', release: 'good', env })
    const took = performance.now() - started
    if (result.status !== 'passed') throw new Error(`the quickstart rollout ended ${result.status}: ${result.summary}`)
    best = Math.min(best, took)
    rmSync(dir, { recursive: true, force: true })
  }
  return best
}

const pg = await createPostgresDatabase('bench')
const my = await createTestDatabase('bench')
try {
  const rows: { store: string; eps: number; ms: number }[] = []
  const stores: [string, StoreLocation, string | undefined][] = [
    ['SQLite (local file)', { kind: 'sqlite', file: path.join(work, 'bench.db') }, undefined],
    ['PostgreSQL', { kind: 'postgres', url: pg.url, prefix: 'rollout_' }, pg.url],
    ['MySQL (MariaDB)', { kind: 'mysql', url: my.url, prefix: 'rollout_' }, my.url],
  ]
  for (const [name, location, url] of stores) {
    process.stderr.write(`[bench] ${name}\n`)
    rows.push({ store: name, eps: await eventsPerSecond(location), ms: await rolloutMs(url) })
  }
  const base = rows[0]!.ms
  console.log(`\n${events} events appended one by one; quickstart rollout: fastest of ${repeat}\n`)
  console.log('| store | events/s | quickstart rollout | vs SQLite |')
  console.log('|---|---:|---:|---:|')
  for (const r of rows) console.log(`| ${r.store} | ${Math.round(r.eps)} | ${Math.round(r.ms)} ms | ${(r.ms / base).toFixed(2)}× |`)
} finally {
  await pg.drop()
  await my.drop()
  rmSync(work, { recursive: true, force: true })
}
