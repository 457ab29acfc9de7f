import type { LockRecord, RunRecord, StepRecord } from '../../engine/store.js'
import type { StepPass } from '../../engine/events.js'
import type { LockOwner } from '../../shared/errors.js'

/** A row as a database driver returns it: column name → value. */
export type Row = Record<string, unknown>

/** Record field → column, for the fields an update may set. The same names in every store. */
export const RUN_COLUMNS: Readonly<Record<string, string>> = {
  environment: 'environment', status: 'status', startedAt: 'started_at', finishedAt: 'finished_at', user: 'user',
  host: 'host', pid: 'pid', plan: 'plan', release: 'release', crossedAt: 'crossed_at', summary: 'summary',
  configFile: 'config_file',
}
export const STEP_COLUMNS: Readonly<Record<string, string>> = {
  phase: 'phase', title: 'title', status: 'status', attempt: 'attempt', startedAt: 'started_at',
  finishedAt: 'finished_at', durationMs: 'duration_ms', summary: 'summary', data: 'data', output: 'output',
  evidence: 'evidence', undoStatus: 'undo_status', undoSummary: 'undo_summary', undoDurationMs: 'undo_duration_ms',
  seq: 'seq',
}
const JSON_FIELDS = new Set(['plan', 'data', 'evidence'])

/** `col = ?, …` for the fields of `patch` that have a column, with their values (JSON fields serialised). */
export function assignments(patch: Record<string, unknown>, columns: Readonly<Record<string, string>>, quote = (name: string) => name): { sql: string; values: unknown[] } {
  const parts: string[] = []
  const values: unknown[] = []
  for (const [key, value] of Object.entries(patch)) {
    const column = columns[key]
    if (!column || value === undefined) continue
    parts.push(`${quote(column)} = ?`)
    values.push(JSON_FIELDS.has(key) ? JSON.stringify(value) : value)
  }
  return { sql: parts.join(', '), values }
}

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value))
const number = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value))

export function toRun(row: Row): RunRecord {
  return {
    id: String(row.id),
    environment: String(row.environment),
    status: row.status as RunRecord['status'],
    startedAt: String(row.started_at),
    finishedAt: text(row.finished_at),
    user: String(row.user),
    host: String(row.host),
    pid: Number(row.pid),
    plan: JSON.parse(String(row.plan)),
    release: text(row.release),
    crossedAt: text(row.crossed_at),
    summary: text(row.summary),
    configFile: String(row.config_file),
  }
}

export function toStep(row: Row): StepRecord {
  return {
    runId: String(row.run_id),
    stepId: String(row.step_id),
    pass: row.pass as StepPass,
    phase: String(row.phase),
    title: String(row.title),
    status: row.status as StepRecord['status'],
    attempt: Number(row.attempt),
    startedAt: text(row.started_at),
    finishedAt: text(row.finished_at),
    durationMs: number(row.duration_ms),
    summary: text(row.summary),
    data: JSON.parse(String(row.data)),
    output: String(row.output),
    evidence: JSON.parse(String(row.evidence)),
    undoStatus: (text(row.undo_status) as StepRecord['undoStatus']) ?? null,
    undoSummary: text(row.undo_summary),
    undoDurationMs: number(row.undo_duration_ms),
    seq: Number(row.seq),
  }
}

/** `readAt` is the store's clock when the row was read: a lease is judged against it, not the reader's. */
export function toLock(row: Row, readAt: string): LockRecord {
  return { environment: String(row.environment), owner: JSON.parse(String(row.owner)) as LockOwner, leaseUntil: String(row.lease_until), readAt }
}
