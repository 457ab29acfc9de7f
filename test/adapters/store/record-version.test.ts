import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { SqliteStore } from '../../../src/adapters/store/sqlite.js'
import { RECORD_VERSION } from '../../../src/adapters/store/record-version.js'
import { RolloutError } from '../../../src/shared/errors.js'

interface Raw {
  exec(sql: string): void
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): Record<string, unknown> | undefined }
  close(): void
}
const Sqlite = createRequire(import.meta.url)('libsql') as new (file: string) => Raw

/** The tables as versions before RECORD_VERSION created them, without a user_version. */
const OLD_SCHEMA = `
CREATE TABLE runs (
  id TEXT PRIMARY KEY, environment TEXT NOT NULL, status TEXT NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, user TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
  plan TEXT NOT NULL, release TEXT, crossed_at TEXT, summary TEXT, config_file TEXT NOT NULL
);
CREATE INDEX runs_env ON runs (environment, started_at);
CREATE TABLE steps (
  run_id TEXT NOT NULL, step_id TEXT NOT NULL, pass TEXT NOT NULL, phase TEXT NOT NULL, title TEXT NOT NULL,
  status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, started_at TEXT, finished_at TEXT, duration_ms REAL,
  summary TEXT, data TEXT NOT NULL DEFAULT '{}', output TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '[]',
  undo_status TEXT, undo_summary TEXT, undo_duration_ms REAL, seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, step_id, pass)
);
CREATE TABLE events (
  run_id TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX events_run ON events (run_id, seq);
CREATE TABLE locks (
  environment TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until TEXT NOT NULL
);
`

const RUN = 'r-old'
const OWN = 'r-own-http'
const AT = '2026-11-25T10:00:00.000Z'
const planned = (id: string, phase: string, kind: string, after: string[] = []) => ({
  id, phase, kind, title: id, options: {}, gate: 'blocking', timeoutMs: 60_000, retries: 0, after, changesEnvironment: phase === 'migrate', undoable: phase === 'migrate',
})

/**
 * A record as an older version left it: a run rolled back and proven by a re-run of its browser
 * step, under the ids the default plan had then; and a run whose config added its own step "http".
 */
function oldRecord(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rollout-record-')), 'rollout.db')
  const db = new Sqlite(file)
  db.exec(OLD_SCHEMA)
  const insertRun = db.prepare('INSERT INTO runs (id, environment, status, started_at, finished_at, user, host, pid, plan, release, crossed_at, summary, config_file) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)')
  const plan = {
    environment: 'staging',
    steps: [planned('migrate', 'migrate', 'migrate'), planned('api-health', 'smoke', 'http'), planned('critical-flows', 'smoke', 'browser', ['api-health']), planned('notify', 'post', 'notify'), planned('close-announcement', 'post', 'announce-close', ['notify'])],
    pointOfNoReturn: 'migrate',
    rollbackVerifyPhases: ['smoke'],
  }
  insertRun.run(RUN, 'staging', 'rolled-back', AT, AT, 'ana', 'ci-1', 42, JSON.stringify(plan), 'v3', 'migrate', 'rolled back migrate; verified by critical-flows', 'rollout.config.mjs')
  const own = { environment: 'staging', steps: [planned('api-health', 'smoke', 'http'), planned('http', 'smoke', 'command')], pointOfNoReturn: null, rollbackVerifyPhases: ['smoke'] }
  insertRun.run(OWN, 'staging', 'passed', '2026-11-24T10:00:00.000Z', AT, 'ana', 'ci-1', 41, JSON.stringify(own), 'v2', null, null, 'rollout.config.mjs')

  const step = db.prepare('INSERT INTO steps (run_id, step_id, pass, phase, title, status, seq, output) VALUES (?,?,?,?,?,?,?,?)')
  step.run(RUN, 'migrate', 'run', 'migrate', 'Apply migrations', 'rolled-back', 1, '')
  step.run(RUN, 'api-health', 'run', 'smoke', 'Health', 'passed', 2, '')
  step.run(RUN, 'critical-flows', 'run', 'smoke', 'Flows', 'failed', 3, 'broken\n')
  step.run(RUN, 'critical-flows', 'verify', 'smoke', 'Flows', 'passed', 4, 'fine\n')
  step.run(OWN, 'api-health', 'run', 'smoke', 'Health', 'passed', 1, '')
  step.run(OWN, 'http', 'run', 'smoke', 'Own check', 'passed', 2, '')
  const event = db.prepare('INSERT INTO events (run_id, at, type, body) VALUES (?,?,?,?)')
  for (const body of [
    { type: 'run-started', environment: 'staging', resumed: false, steps: 5, pointOfNoReturn: 'migrate' },
    { type: 'phase-started', phase: 'smoke', pass: 'run' },
    { type: 'step-finished', stepId: 'critical-flows', status: 'failed', summary: 'broken', durationMs: 5, pass: 'run' },
    { type: 'phase-started', phase: 'smoke', pass: 'verify' },
    { type: 'step-started', stepId: 'critical-flows', title: 'Flows', phase: 'smoke', attempt: 1, pass: 'verify' },
    { type: 'step-output', stepId: 'critical-flows', line: 'fine', pass: 'verify' },
    { type: 'step-finished', stepId: 'critical-flows', status: 'passed', summary: 'fine', durationMs: 5, pass: 'verify' },
    { type: 'warning', message: 'slow', stepId: 'api-health' },
    { type: 'monitor-detached', stepIds: ['close-announcement'], pid: 7 },
  ]) event.run(RUN, AT, body.type, JSON.stringify({ runId: RUN, at: AT, ...body }))
  event.run(OWN, AT, 'step-finished', JSON.stringify({ runId: OWN, at: AT, type: 'step-finished', stepId: 'api-health', status: 'passed', summary: 'ok', durationMs: 5, pass: 'run' }))
  db.close()
  return file
}

async function read(file: string) {
  const store = new SqliteStore(file)
  try {
    return {
      runs: await store.listRuns({}), run: await store.getRun(RUN), steps: await store.getSteps(RUN), events: await store.getEvents(RUN),
      own: await store.getRun(OWN), ownSteps: await store.getSteps(OWN), ownEvents: await store.getEvents(OWN),
    }
  } finally {
    store.close()
  }
}

function userVersion(file: string): number {
  const db = new Sqlite(file)
  try {
    return Number(db.prepare('PRAGMA user_version').get()!.user_version)
  } finally {
    db.close()
  }
}

test('a record written before versions is upgraded on open: the proof pass and the renamed default steps read back by their names', async () => {
  const file = oldRecord()
  assert.equal(userVersion(file), 0)
  const { runs, run, steps, events, own, ownSteps, ownEvents } = await read(file)
  assert.equal(userVersion(file), RECORD_VERSION)

  assert.deepEqual(runs.map((r) => [r.id, r.status]), [[RUN, 'rolled-back'], [OWN, 'passed']])
  assert.deepEqual(run!.plan.rollbackProofPhases, ['smoke'])
  assert.ok(!('rollbackVerifyPhases' in run!.plan), JSON.stringify(run!.plan))
  assert.deepEqual(run!.plan.steps.map((s) => `${s.id}<${s.after.join(',')}`), ['migrate<', 'http<', 'browser<http', 'notify<', 'announce-close<notify'])
  assert.equal(run!.crossedAt, 'migrate')
  assert.deepEqual(steps.map((s) => `${s.stepId}:${s.pass}:${s.status}`), ['migrate:run:rolled-back', 'http:run:passed', 'browser:run:failed', 'browser:proof:passed'])
  assert.equal(steps.find((s) => s.pass === 'proof')!.output, 'fine\n')
  assert.deepEqual(events.map((e) => ('pass' in e ? e.pass : null)), [null, 'run', 'run', 'proof', 'proof', 'proof', 'proof', null, null])
  assert.deepEqual(events.flatMap((e) => ('stepId' in e && e.stepId ? [e.stepId] : [])), ['browser', 'browser', 'browser', 'browser', 'http'])
  assert.deepEqual(events.flatMap((e) => (e.type === 'monitor-detached' ? e.stepIds : [])), ['announce-close'])
  assert.equal(run!.summary, 'rolled back migrate; verified by critical-flows', 'what the run said then stays as it said it')

  // A config that added its own "http" beside the old api-health: renaming would give two steps one id.
  assert.deepEqual(own!.plan.steps.map((s) => s.id), ['api-health', 'http'])
  assert.deepEqual(ownSteps.map((s) => s.stepId), ['api-health', 'http'])
  assert.deepEqual(ownEvents.map((e) => ('stepId' in e ? e.stepId : null)), ['api-health'])
})

test('opening an upgraded record again changes nothing', async () => {
  const file = oldRecord()
  const first = await read(file)
  const bytes = readFileSync(file)
  const second = await read(file)
  assert.deepEqual(second, first)
  assert.ok(readFileSync(file).equals(bytes), 'the second open wrote to the record')
  assert.equal(userVersion(file), RECORD_VERSION)
})

test('a new record starts at the current version', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rollout-record-')), 'rollout.db')
  new SqliteStore(file).close()
  assert.equal(userVersion(file), RECORD_VERSION)
})

test('a record of a newer version is refused, not misread, and left as it was', () => {
  const file = oldRecord()
  const db = new Sqlite(file)
  db.exec(`PRAGMA user_version = ${RECORD_VERSION + 1}`)
  db.close()
  assert.throws(() => new SqliteStore(file), (error: unknown) => {
    assert.ok(error instanceof RolloutError && error.code === 'STATE', String(error))
    assert.match(error.message, new RegExp(`run record at .*rollout\\.db is version ${RECORD_VERSION + 1}, written by a newer rollout; this one reads up to version ${RECORD_VERSION}`))
    return true
  })
  assert.equal(userVersion(file), RECORD_VERSION + 1)
  const raw = new Sqlite(file)
  assert.equal(raw.prepare(`SELECT count(*) AS n FROM steps WHERE pass = 'verify' AND step_id = 'critical-flows'`).get()!.n, 1, 'the newer record was rewritten')
  raw.close()
})
