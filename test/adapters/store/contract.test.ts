import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { openStoreAt } from '../../../src/adapters/store/open.js'
import type { StoreLocation } from '../../../src/adapters/store/location.js'
import type { RunRecord, Store } from '../../../src/engine/store.js'
import { staleReason } from '../../../src/engine/lock.js'
import type { LockOwner } from '../../../src/shared/errors.js'
import { createTestDatabase } from '../../support/mysql.js'
import { createPostgresDatabase } from '../../support/postgres.js'

/** One way to reach a store kind: its location, and how to cut its connections from the server side. */
interface Backend {
  name: string
  location(): Promise<StoreLocation>
  /** Ends every connection the server has to the store's database, as a restart or fail-over would. */
  dropConnections?(location: StoreLocation): Promise<void>
  cleanup(): Promise<void>
}

const cleanups: (() => Promise<void>)[] = []
after(async () => {
  for (const c of cleanups) await c().catch(() => undefined)
})

const sqlite: Backend = {
  name: 'sqlite',
  async location() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-store-'))
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }))
    return { kind: 'sqlite', file: path.join(dir, 'rollout.db') }
  },
  async cleanup() {},
}

const postgres: Backend = {
  name: 'postgres',
  async location() {
    const db = await createPostgresDatabase('rs')
    cleanups.push(db.drop)
    return { kind: 'postgres', url: db.url, prefix: 'rollout_' }
  },
  async dropConnections(location) {
    const url = new URL((location as { url: string }).url)
    const database = url.pathname.slice(1)
    url.pathname = '/postgres'
    const admin = new pg.Client({ connectionString: url.toString() })
    await admin.connect()
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database])
    await admin.end()
  },
  async cleanup() {},
}

const mysqlBackend: Backend = {
  name: 'mysql',
  async location() {
    const db = await createTestDatabase('rs')
    cleanups.push(db.drop)
    return { kind: 'mysql', url: db.url, prefix: 'rollout_' }
  },
  async dropConnections(location) {
    const url = new URL((location as { url: string }).url)
    const database = url.pathname.slice(1)
    url.pathname = '/'
    const admin = await mysql.createConnection(url.toString())
    const [rows] = await admin.query('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [database])
    for (const row of rows as { id: number }[]) await admin.query(`KILL ${Number(row.id)}`).catch(() => undefined)
    await admin.end()
  },
  async cleanup() {},
}

const owner = (runId: string, host = 'host-a', pid = 4242): LockOwner => ({ runId, user: 'ana', host, pid, since: new Date().toISOString() })

function run(id: string, environment = 'staging', startedAt = new Date().toISOString()): RunRecord {
  return {
    id, environment, status: 'running', startedAt, finishedAt: null, user: 'ana', host: 'host-a', pid: 4242,
    plan: { environment, steps: [{ id: 'backup', kind: 'backup' }], note: 'ünïcödé ✓' } as unknown as RunRecord['plan'],
    release: 'v1.2.3', crossedAt: null, summary: null, configFile: '/app/rollout.config.ts',
  }
}

for (const backend of [sqlite, postgres, mysqlBackend]) {
  describe(`store contract: ${backend.name}`, () => {
    const open = async (): Promise<{ store: Store; location: StoreLocation }> => {
      const location = await backend.location()
      return { store: await openStoreAt(location), location }
    }

    test('runs: created, patched, read back with their plan; listed newest first by environment; found by id prefix', async () => {
      const { store } = await open()
      try {
        await store.createRun(run('20261205-100000-aaaa', 'staging', '2026-12-05T10:00:00.000Z'))
        await store.createRun(run('20261205-110000-bbbb', 'staging', '2026-12-05T11:00:00.000Z'))
        await store.createRun(run('20261205-120000-cccc', 'production', '2026-12-05T12:00:00.000Z'))
        await store.updateRun('20261205-100000-aaaa', { status: 'rolled-back', summary: 'rolled back: smoke failed', crossedAt: 'migrate', finishedAt: '2026-12-05T10:05:00.000Z' })
        const first = await store.getRun('20261205-100000-aaaa')
        assert.equal(first?.status, 'rolled-back')
        assert.equal(first?.crossedAt, 'migrate')
        assert.equal(first?.release, 'v1.2.3')
        assert.equal(first?.pid, 4242)
        assert.deepEqual(first?.plan, run('x').plan)
        assert.equal(await store.getRun('nope'), null)
        assert.deepEqual((await store.listRuns({ environment: 'staging' })).map((r) => r.id), ['20261205-110000-bbbb', '20261205-100000-aaaa'])
        assert.deepEqual((await store.listRuns({ limit: 1 })).map((r) => r.id), ['20261205-120000-cccc'])
        assert.deepEqual(await store.matchRunIds('20261205-1', 10), ['20261205-100000-aaaa', '20261205-110000-bbbb', '20261205-120000-cccc'])
        // LIKE's wildcards in a prefix are not wildcards.
        assert.deepEqual(await store.matchRunIds('2026%', 10), ['20261205-100000-aaaa', '20261205-110000-bbbb', '20261205-120000-cccc'].slice(0, 3))
        assert.deepEqual(await store.matchRunIds('20261205-11', 10), ['20261205-110000-bbbb'])
      } finally {
        await store.close()
      }
    })

    test('steps: inserted then patched, ordered by start; output keeps its tail; events in order', async () => {
      const { store } = await open()
      try {
        await store.createRun(run('r1'))
        await store.upsertStep({ runId: 'r1', stepId: 'migrate', pass: 'run', phase: 'migrate', title: 'Migrate', status: 'running', seq: 2 })
        await store.upsertStep({ runId: 'r1', stepId: 'backup', pass: 'run', phase: 'backup', title: 'Backup', status: 'passed', seq: 1, durationMs: 12.5, data: { id: 'b1', bytes: 1024 }, evidence: [{ label: 'manifest', path: 'b1.json' }] })
        await store.upsertStep({ runId: 'r1', stepId: 'migrate', pass: 'run', status: 'failed', summary: 'exit 1', undoStatus: 'rolled-back' })
        await store.upsertStep({ runId: 'r1', stepId: 'http', pass: 'proof', phase: 'smoke', title: 'HTTP', status: 'passed', seq: 3 })
        const steps = await store.getSteps('r1')
        assert.deepEqual(steps.map((s) => `${s.stepId}/${s.pass}/${s.status}`), ['backup/run/passed', 'migrate/run/failed', 'http/proof/passed'])
        assert.deepEqual(steps[0]!.data, { id: 'b1', bytes: 1024 })
        assert.equal(steps[0]!.durationMs, 12.5)
        assert.deepEqual(steps[0]!.evidence, [{ label: 'manifest', path: 'b1.json' }])
        assert.equal(steps[1]!.title, 'Migrate', 'a patch without a title keeps it')
        assert.equal(steps[1]!.undoStatus, 'rolled-back')
        assert.equal(steps[2]!.durationMs, null)

        await store.appendOutput('r1', 'migrate', 'run', 'line one')
        await store.appendOutput('r1', 'migrate', 'run', 'line two ✓')
        assert.equal((await store.getSteps('r1'))[1]!.output, 'line one\nline two ✓\n')
        await store.appendOutput('r1', 'migrate', 'run', 'x'.repeat(250_000))
        await store.appendOutput('r1', 'migrate', 'run', 'the last line')
        const output = (await store.getSteps('r1'))[1]!.output
        assert.equal(output.length, 200_000)
        assert.ok(output.endsWith('x\nthe last line\n'))

        for (let i = 0; i < 5; i++) await store.appendEvent({ type: 'warning', message: `w${i}`, runId: 'r1', at: new Date().toISOString() })
        await store.appendEvent({ type: 'warning', message: 'other run', runId: 'r2', at: new Date().toISOString() })
        assert.deepEqual((await store.getEvents('r1')).map((e) => (e as { message: string }).message), ['w0', 'w1', 'w2', 'w3', 'w4'])
      } finally {
        await store.close()
      }
    })

    test('lock: one holder; renewed and released only by it; taken over after its lease, judged by the store\'s clock; forced open', async () => {
      const { store } = await open()
      try {
        assert.equal(await store.getLock('staging'), null)
        assert.deepEqual(await store.acquireLock('staging', owner('run-a'), 60_000, staleReason), { acquired: true })
        const held = await store.getLock('staging')
        assert.equal(held?.owner.runId, 'run-a')
        // The lease is read with the store's clock beside it: a host with a skewed clock judges by the same one.
        assert.ok(Math.abs(Date.parse(held!.readAt) - Date.now()) < 5_000, `readAt ${held!.readAt}`)
        assert.ok(Date.parse(held!.leaseUntil) - Date.parse(held!.readAt) > 55_000)

        const refused = await store.acquireLock('staging', owner('run-b', 'host-b', 1), 60_000, staleReason)
        assert.equal(refused.acquired, false)
        assert.equal(!refused.acquired && refused.owner.host, 'host-a')
        assert.equal(await store.renewLock('staging', 'run-b', 60_000), false)
        assert.equal(await store.renewLock('staging', 'run-a', 60_000), true)
        await store.releaseLock('staging', 'run-b')
        assert.equal((await store.getLock('staging'))?.owner.runId, 'run-a', 'another run cannot release it')
        assert.equal((await store.acquireLock('production', owner('run-p'), 60_000, staleReason)).acquired, true, 'environments lock apart')

        await store.releaseLock('staging', 'run-a')
        assert.equal(await store.getLock('staging'), null)

        // A short lease that is not renewed runs out; the next run takes over and says why.
        assert.equal((await store.acquireLock('staging', owner('run-c', 'host-c', 2), 100, staleReason)).acquired, true)
        await new Promise((r) => setTimeout(r, 300))
        const takeover = await store.acquireLock('staging', owner('run-d', 'host-d', 3), 60_000, staleReason)
        assert.equal(takeover.acquired, true)
        assert.match((takeover as { tookOver?: { reason: string } }).tookOver?.reason ?? '', /lease expired/)
        assert.equal((takeover as { tookOver?: { owner: LockOwner } }).tookOver?.owner.runId, 'run-c')

        const forced = await store.forceUnlock('staging')
        assert.equal(forced?.owner.runId, 'run-d')
        assert.equal(await store.getLock('staging'), null)
        assert.equal(await store.forceUnlock('staging'), null)
      } finally {
        await store.close()
      }
    })

    test('concurrent writers: of eight processes\' stores racing for one lock exactly one wins; events from four writers all land', async () => {
      const { store, location } = await open()
      const others = await Promise.all(Array.from({ length: 8 }, () => openStoreAt(location)))
      try {
        const attempts = await Promise.all(others.map((s, i) => s.acquireLock('staging', owner(`run-${i}`, `host-${i}`, 100 + i), 60_000, staleReason)))
        assert.equal(attempts.filter((a) => a.acquired).length, 1)
        await store.createRun(run('busy'))
        await Promise.all(others.slice(0, 4).flatMap((s, w) => Array.from({ length: 25 }, (_, i) => s.appendEvent({ type: 'warning', message: `${w}-${i}`, runId: 'busy', at: new Date().toISOString() }))))
        const messages = (await store.getEvents('busy')).map((e) => (e as { message: string }).message)
        assert.equal(messages.length, 100)
        assert.equal(new Set(messages).size, 100)
      } finally {
        for (const s of others) await s.close()
        await store.close()
      }
    })

    if (backend.dropConnections) {
      test('a connection dropped by the server mid-run: the next writes reconnect and land', async () => {
        const { store, location } = await open()
        try {
          await store.createRun(run('r-drop'))
          assert.equal((await store.acquireLock('staging', owner('r-drop'), 60_000, staleReason)).acquired, true)
          await backend.dropConnections!(location)
          await store.appendEvent({ type: 'warning', message: 'after the drop', runId: 'r-drop', at: new Date().toISOString() })
          assert.equal(await store.renewLock('staging', 'r-drop', 60_000), true)
          await store.updateRun('r-drop', { status: 'passed' })
          await backend.dropConnections!(location)
          assert.equal((await store.getRun('r-drop'))?.status, 'passed')
          assert.deepEqual((await store.getEvents('r-drop')).map((e) => (e as { message: string }).message), ['after the drop'])
        } finally {
          await store.close()
        }
      })

      test('schema: created once by machines opening together, versioned; a newer version is refused; prefixes keep stores apart', async () => {
        const location = await backend.location()
        const stores = await Promise.all(Array.from({ length: 4 }, () => openStoreAt(location)))
        for (const s of stores) await s.close()
        const { inspectStore } = await import('../../../src/adapters/store/open.js')
        const status = await inspectStore(location)
        assert.deepEqual({ version: status.version, latest: status.latest }, { version: 1, latest: 1 })
        assert.doesNotMatch(status.store, /:[^/@]*@/, 'no password in the description')

        const other = { ...location, prefix: 'team2_' } as StoreLocation
        const a = await openStoreAt(location)
        const b = await openStoreAt(other)
        try {
          await a.createRun(run('only-in-a'))
          assert.equal(await b.getRun('only-in-a'), null)
        } finally {
          await a.close()
          await b.close()
        }

        const table = `${location.kind === 'postgres' ? '"' : '`'}rollout_schema${location.kind === 'postgres' ? '"' : '`'}`
        await rawQuery(location, `INSERT INTO ${table} (version, applied_at) VALUES (99, 'future')`)
        await assert.rejects(openStoreAt(location), /version 99, newer than this Rollout knows/)
      })
    }
  })
}

async function rawQuery(location: StoreLocation, sql: string): Promise<void> {
  const url = (location as { url: string }).url
  if (location.kind === 'postgres') {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    await c.query(sql)
    await c.end()
  } else {
    const c = await mysql.createConnection(url)
    await c.query(sql)
    await c.end()
  }
}
