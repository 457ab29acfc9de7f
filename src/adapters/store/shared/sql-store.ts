import type { LockAttempt, LockRecord, RunRecord, StepRecord, Store } from '../../../engine/store.js'
import type { RolloutEvent, StepPass } from '../../../engine/events.js'
import type { LockOwner } from '../../../shared/errors.js'
import { assignments, RUN_COLUMNS, STEP_COLUMNS, toLock, toRun, toStep, type Row } from '../rows.js'
import type { SqlDriver, SqlSession } from './driver.js'
import { tableNames } from './schema.js'

const RUN_FIELDS = ['id', 'environment', 'status', 'started_at', 'finished_at', 'user', 'host', 'pid', 'plan', 'release', 'crossed_at', 'summary', 'config_file']
const OUTPUT_KEPT = 200_000

/**
 * The record in a database every machine of a team reaches (PostgreSQL or MySQL), so one lock, one
 * history and one catalog serve them all. Leases are judged by the database's clock.
 */
export class SqlStore implements Store {
  private readonly t: { runs: string; steps: string; events: string; locks: string }

  constructor(private readonly driver: SqlDriver, prefix: string) {
    const q = driver.dialect.quote
    const names = tableNames(prefix)
    this.t = { runs: q(names.runs), steps: q(names.steps), events: q(names.events), locks: q(names.locks) }
  }

  private get q() {
    return this.driver.dialect.quote
  }

  async createRun(run: RunRecord): Promise<void> {
    const values = [run.id, run.environment, run.status, run.startedAt, run.finishedAt, run.user, run.host, run.pid, JSON.stringify(run.plan), run.release, run.crossedAt, run.summary, run.configFile]
    await this.driver.query(`INSERT INTO ${this.t.runs} (${RUN_FIELDS.map(this.q).join(', ')}) VALUES (${RUN_FIELDS.map(() => '?').join(', ')})`, values)
  }

  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    const { sql, values } = assignments(patch, RUN_COLUMNS, this.q)
    if (sql) await this.driver.query(`UPDATE ${this.t.runs} SET ${sql} WHERE id = ?`, [...values, id])
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const { rows } = await this.driver.query(`SELECT * FROM ${this.t.runs} WHERE id = ?`, [id])
    return rows[0] ? toRun(rows[0]) : null
  }

  async listRuns(filter: { environment?: string; limit?: number }): Promise<RunRecord[]> {
    const where = filter.environment ? 'WHERE environment = ?' : ''
    const params = filter.environment ? [filter.environment] : []
    const { rows } = await this.driver.query(`SELECT * FROM ${this.t.runs} ${where} ORDER BY started_at DESC, id DESC LIMIT ?`, [...params, filter.limit ?? 50])
    return rows.map(toRun)
  }

  async matchRunIds(prefix: string, limit: number): Promise<string[]> {
    const { rows } = await this.driver.query(`SELECT id FROM ${this.t.runs} WHERE id LIKE ? ORDER BY id LIMIT ?`, [`${prefix.replace(/[%_\\]/g, '')}%`, limit])
    return rows.map((row) => String(row.id))
  }

  async upsertStep(step: Partial<StepRecord> & Pick<StepRecord, 'runId' | 'stepId' | 'pass'>): Promise<void> {
    const { runId, stepId, pass, ...rest } = step
    const columns = ['run_id', 'step_id', 'pass', 'phase', 'title', 'status', 'attempt', 'data', 'output', 'evidence', 'seq']
    await this.driver.query(this.driver.dialect.insertIgnore(this.t.steps, columns), [runId, stepId, pass, rest.phase ?? '', rest.title ?? stepId, rest.status ?? 'pending', 0, '{}', '', '[]', 0])
    const { sql, values } = assignments(rest, STEP_COLUMNS, this.q)
    if (sql) await this.driver.query(`UPDATE ${this.t.steps} SET ${sql} WHERE run_id = ? AND step_id = ? AND pass = ?`, [...values, runId, stepId, pass])
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    const { rows } = await this.driver.query(`SELECT * FROM ${this.t.steps} WHERE run_id = ? ORDER BY seq, step_id, pass`, [runId])
    return rows.map(toStep)
  }

  async appendOutput(runId: string, stepId: string, pass: StepPass, line: string): Promise<void> {
    await this.driver.query(`UPDATE ${this.t.steps} SET output = ${this.driver.dialect.appendTail('output', OUTPUT_KEPT)} WHERE run_id = ? AND step_id = ? AND pass = ?`, [line, runId, stepId, pass])
  }

  async appendEvent(event: RolloutEvent): Promise<void> {
    await this.driver.query(`INSERT INTO ${this.t.events} (run_id, at, type, body) VALUES (?, ?, ?, ?)`, [event.runId, event.at, event.type, JSON.stringify(event)])
  }

  async getEvents(runId: string): Promise<RolloutEvent[]> {
    const { rows } = await this.driver.query(`SELECT body FROM ${this.t.events} WHERE run_id = ? ORDER BY seq`, [runId])
    return rows.map((row) => JSON.parse(String(row.body)) as RolloutEvent)
  }

  async acquireLock(environment: string, owner: LockOwner, leaseMs: number, isStale: (lock: LockRecord) => string | null): Promise<LockAttempt> {
    return this.driver.transaction(async (tx) => {
      // The row exists before it is locked: FOR UPDATE on a missing row locks nothing in PostgreSQL,
      // and two machines would both insert. An empty run_id is a free lock.
      await tx.query(this.driver.dialect.insertIgnore(this.t.locks, ['environment', 'run_id', 'owner', 'lease_until']), [environment, '', '{}', 0])
      const row = (await tx.query(`SELECT environment, run_id, owner, lease_until, ${this.driver.dialect.nowMs} AS now_ms FROM ${this.t.locks} WHERE environment = ? FOR UPDATE`, [environment])).rows[0]!
      const current = String(row.run_id) ? this.lockOf(row) : null
      let tookOver: { owner: LockOwner; reason: string } | undefined
      // The same run resumed by a new process still takes over from the old one, and only when it is gone.
      const sameHolder = current && current.owner.pid === owner.pid && current.owner.host === owner.host
      if (current && !sameHolder) {
        const reason = isStale(current)
        if (!reason) return { acquired: false, owner: current.owner, leaseUntil: current.leaseUntil }
        tookOver = { owner: current.owner, reason }
      }
      await tx.query(`UPDATE ${this.t.locks} SET run_id = ?, owner = ?, lease_until = ${this.driver.dialect.nowMs} + ? WHERE environment = ?`, [owner.runId, JSON.stringify(owner), leaseMs, environment])
      return { acquired: true, ...(tookOver ? { tookOver } : {}) }
    })
  }

  async renewLock(environment: string, runId: string, leaseMs: number): Promise<boolean> {
    const { changes } = await this.driver.query(`UPDATE ${this.t.locks} SET lease_until = ${this.driver.dialect.nowMs} + ? WHERE environment = ? AND run_id = ?`, [leaseMs, environment, runId])
    return changes > 0
  }

  async releaseLock(environment: string, runId: string): Promise<void> {
    await this.driver.query(`UPDATE ${this.t.locks} SET run_id = '', owner = '{}', lease_until = 0 WHERE environment = ? AND run_id = ?`, [environment, runId])
  }

  async getLock(environment: string): Promise<LockRecord | null> {
    return this.readLock(this.driver, environment)
  }

  async forceUnlock(environment: string): Promise<LockRecord | null> {
    return this.driver.transaction(async (tx) => {
      const lock = await this.readLock(tx, environment, ' FOR UPDATE')
      if (lock) await tx.query(`UPDATE ${this.t.locks} SET run_id = '', owner = '{}', lease_until = 0 WHERE environment = ?`, [environment])
      return lock
    })
  }

  async close(): Promise<void> {
    await this.driver.close()
  }

  private async readLock(session: SqlSession, environment: string, suffix = ''): Promise<LockRecord | null> {
    const { rows } = await session.query(`SELECT environment, run_id, owner, lease_until, ${this.driver.dialect.nowMs} AS now_ms FROM ${this.t.locks} WHERE environment = ? AND run_id <> ''${suffix}`, [environment])
    return rows[0] ? this.lockOf(rows[0]) : null
  }

  private lockOf(row: Row): LockRecord {
    const iso = (ms: unknown) => new Date(Number(ms)).toISOString()
    return toLock({ ...row, lease_until: iso(row.lease_until) }, iso(row.now_ms))
  }
}
