import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { LockAttempt, LockRecord, RunRecord, StepRecord, Store } from '../../engine/store.js'
import type { RolloutEvent, StepPass } from '../../engine/events.js'
import type { LockOwner } from '../../shared/errors.js'
import { RolloutError } from '../../shared/errors.js'
import { upgradeRecord } from './record-version.js'
import { assignments, RUN_COLUMNS, STEP_COLUMNS, toLock, toRun, toStep, type Row } from './rows.js'

export interface Statement {
  run(...params: unknown[]): { changes: number }
  get(...params: unknown[]): Row | undefined
  all(...params: unknown[]): Row[]
}
export interface Database {
  prepare(sql: string): Statement
  exec(sql: string): void
  close(): void
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, environment TEXT NOT NULL, status TEXT NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, user TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
  plan TEXT NOT NULL, release TEXT, crossed_at TEXT, summary TEXT, config_file TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_env ON runs (environment, started_at);
CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL, step_id TEXT NOT NULL, pass TEXT NOT NULL, phase TEXT NOT NULL, title TEXT NOT NULL,
  status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, started_at TEXT, finished_at TEXT, duration_ms REAL,
  summary TEXT, data TEXT NOT NULL DEFAULT '{}', output TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '[]',
  undo_status TEXT, undo_summary TEXT, undo_duration_ms REAL, seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, step_id, pass)
);
CREATE TABLE IF NOT EXISTS events (
  run_id TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id, seq);
CREATE TABLE IF NOT EXISTS locks (
  environment TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until TEXT NOT NULL
);
`

/** The embedded store: one SQLite file under the state folder, shared safely by concurrent processes (WAL). */
export class SqliteStore implements Store {
  private readonly db: Database

  constructor(file: string) {
    let db: Database | undefined
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      ownerOnly(file)
      const require = createRequire(import.meta.url)
      const Sqlite = require('libsql') as new (file: string, opts?: { timeout?: number }) => Database
      db = new Sqlite(file, { timeout: 10_000 })
      db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;')
      upgradeRecord(db, file, SCHEMA)
      this.db = db
      // libsql creates -wal and -shm at the first write (and removes them on close), giving them the
      // database file's mode; ones left by an older version may still have a looser one.
      for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) chmodSync(file + suffix, 0o600)
    } catch (error) {
      db?.close()
      // A record this code must not read (a newer version's) is refused in its own words.
      if (error instanceof RolloutError) throw error
      throw new RolloutError('STATE', `cannot open the run record at ${file}: ${(error as Error).message}`, 'check that the state folder (.rollout/) is writable', { cause: error })
    }
  }

  async createRun(run: RunRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO runs (id, environment, status, started_at, finished_at, user, host, pid, plan, release, crossed_at, summary, config_file) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`)
      .run(run.id, run.environment, run.status, run.startedAt, run.finishedAt, run.user, run.host, run.pid, JSON.stringify(run.plan), run.release, run.crossedAt, run.summary, run.configFile)
  }

  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    const { sql, values } = assignments(patch, RUN_COLUMNS)
    if (sql) this.db.prepare(`UPDATE runs SET ${sql} WHERE id = ?`).run(...values, id)
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id)
    return row ? toRun(row) : null
  }

  async listRuns(filter: { environment?: string; limit?: number }): Promise<RunRecord[]> {
    const where = filter.environment ? 'WHERE environment = ?' : ''
    const params = filter.environment ? [filter.environment] : []
    return this.db
      .prepare(`SELECT * FROM runs ${where} ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(...params, filter.limit ?? 50)
      .map(toRun)
  }

  async matchRunIds(prefix: string, limit: number): Promise<string[]> {
    const rows = this.db.prepare('SELECT id FROM runs WHERE id LIKE ? ORDER BY id LIMIT ?').all(`${prefix.replace(/[%_]/g, '')}%`, limit)
    return rows.map((row) => String(row.id))
  }

  async upsertStep(step: Partial<StepRecord> & Pick<StepRecord, 'runId' | 'stepId' | 'pass'>): Promise<void> {
    const exists = this.db.prepare('SELECT 1 FROM steps WHERE run_id = ? AND step_id = ? AND pass = ?').get(step.runId, step.stepId, step.pass)
    const { runId, stepId, pass, ...rest } = step
    if (!exists) {
      this.db
        .prepare('INSERT INTO steps (run_id, step_id, pass, phase, title, status) VALUES (?,?,?,?,?,?)')
        .run(runId, stepId, pass, rest.phase ?? '', rest.title ?? stepId, rest.status ?? 'pending')
    }
    const { sql, values } = assignments(rest, STEP_COLUMNS)
    if (sql) this.db.prepare(`UPDATE steps SET ${sql} WHERE run_id = ? AND step_id = ? AND pass = ?`).run(...values, runId, stepId, pass)
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    return this.db.prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY seq, rowid').all(runId).map(toStep)
  }

  async appendOutput(runId: string, stepId: string, pass: StepPass, line: string): Promise<void> {
    this.db
      .prepare(`UPDATE steps SET output = substr(output || ? || char(10), -200000) WHERE run_id = ? AND step_id = ? AND pass = ?`)
      .run(line, runId, stepId, pass)
  }

  async appendEvent(event: RolloutEvent): Promise<void> {
    this.db.prepare('INSERT INTO events (run_id, at, type, body) VALUES (?,?,?,?)').run(event.runId, event.at, event.type, JSON.stringify(event))
  }

  async getEvents(runId: string): Promise<RolloutEvent[]> {
    return this.db.prepare('SELECT body FROM events WHERE run_id = ? ORDER BY seq').all(runId).map((r) => JSON.parse(String(r.body)) as RolloutEvent)
  }

  async acquireLock(environment: string, owner: LockOwner, leaseMs: number, isStale: (lock: LockRecord) => string | null): Promise<LockAttempt> {
    // IMMEDIATE takes the write lock first, so two processes cannot both see the lock free.
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const row = this.db.prepare('SELECT * FROM locks WHERE environment = ?').get(environment)
      const current = row ? toLock(row, new Date().toISOString()) : null
      const leaseUntil = new Date(Date.now() + leaseMs).toISOString()
      let tookOver: { owner: LockOwner; reason: string } | undefined
      // The same run resumed by a new process still takes over from the old one, and only when it is gone.
      const sameHolder = current && current.owner.pid === owner.pid && current.owner.host === owner.host
      if (current && !sameHolder) {
        const staleReason = isStale(current)
        if (!staleReason) {
          this.db.exec('COMMIT')
          return { acquired: false, owner: current.owner, leaseUntil: current.leaseUntil }
        }
        tookOver = { owner: current.owner, reason: staleReason }
      }
      this.db.prepare('INSERT OR REPLACE INTO locks (environment, owner, lease_until) VALUES (?,?,?)').run(environment, JSON.stringify(owner), leaseUntil)
      this.db.exec('COMMIT')
      return { acquired: true, ...(tookOver ? { tookOver } : {}) }
    } catch (error) {
      this.db.exec('ROLLBACK')
      throw error
    }
  }

  async renewLock(environment: string, runId: string, leaseMs: number): Promise<boolean> {
    const leaseUntil = new Date(Date.now() + leaseMs).toISOString()
    const result = this.db
      .prepare(`UPDATE locks SET lease_until = ? WHERE environment = ? AND json_extract(owner, '$.runId') = ?`)
      .run(leaseUntil, environment, runId)
    return result.changes > 0
  }

  async releaseLock(environment: string, runId: string): Promise<void> {
    this.db.prepare(`DELETE FROM locks WHERE environment = ? AND json_extract(owner, '$.runId') = ?`).run(environment, runId)
  }

  async getLock(environment: string): Promise<LockRecord | null> {
    const row = this.db.prepare('SELECT * FROM locks WHERE environment = ?').get(environment)
    return row ? toLock(row, new Date().toISOString()) : null
  }

  async forceUnlock(environment: string): Promise<LockRecord | null> {
    const lock = await this.getLock(environment)
    this.db.prepare('DELETE FROM locks WHERE environment = ?').run(environment)
    return lock
  }

  async close(): Promise<void> {
    this.db.close()
  }
}

/**
 * Creates the database file owner-only before SQLite does (it would use 0644 less the umask), and
 * tightens one that exists: the record holds step output and the run's data.
 */
function ownerOnly(file: string): void {
  // Created here only when missing ('wx'): an existing record is never opened and closed here.
  // Closing any descriptor of the file drops every POSIX lock this process holds on it, among them
  // those of a connection still open (libsql keeps a closed one open until its statements are
  // collected); another process may then checkpoint and truncate the WAL under that connection,
  // and what it writes next is lost (a rollback's whole record, after a `readRun`).
  try {
    closeSync(openSync(file, 'wx', 0o600))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  chmodSync(file, 0o600)
}
