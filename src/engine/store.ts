import type { EvidenceRef } from './step-kind.js'
import type { RolloutEvent, RunStatus, StepPass, StepStatus } from './events.js'
import type { LockOwner } from '../shared/errors.js'
import type { Plan } from '../plan/types.js'

export interface RunRecord {
  id: string
  environment: string
  status: RunStatus
  startedAt: string
  finishedAt: string | null
  user: string
  host: string
  pid: number
  /** Redacted plan the run executes: resume and rollback read it back. */
  plan: Plan
  release: string | null
  /** Step id where the run crossed the point of no return, or null. */
  crossedAt: string | null
  summary: string | null
  configFile: string
}

export interface StepRecord {
  runId: string
  stepId: string
  pass: StepPass
  phase: string
  title: string
  status: StepStatus
  attempt: number
  startedAt: string | null
  finishedAt: string | null
  durationMs: number | null
  summary: string | null
  /** The step's final data, or its last checkpoint while it runs. */
  data: Record<string, unknown>
  output: string
  evidence: EvidenceRef[]
  undoStatus: 'rolling-back' | 'rolled-back' | 'rollback-failed' | 'skipped' | null
  undoSummary: string | null
  undoDurationMs: number | null
  /** Order in which steps started; undo walks it backwards. */
  seq: number
}

export interface LockRecord {
  environment: string
  owner: LockOwner
  leaseUntil: string
  /** The store's clock when the lock was read: a lease is judged by it, so hosts whose clocks differ agree. */
  readAt: string
}

export type LockAttempt =
  | { acquired: true; tookOver?: { owner: LockOwner; reason: string } }
  | { acquired: false; owner: LockOwner; leaseUntil: string }

/**
 * The run record. Every method commits before it returns, so a run killed at any moment leaves a
 * record that says how far it got. Implemented by the embedded SQLite file and by a shared
 * PostgreSQL or MySQL database (src/adapters/store/).
 */
export interface Store {
  createRun(run: RunRecord): Promise<void>
  updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void>
  getRun(id: string): Promise<RunRecord | null>
  /** Newest first. */
  listRuns(filter: { environment?: string; limit?: number }): Promise<RunRecord[]>
  /** Run ids starting with `prefix`, at most `limit`, oldest first (see findRunId in run-id.ts). */
  matchRunIds(prefix: string, limit: number): Promise<string[]>

  upsertStep(step: Partial<StepRecord> & Pick<StepRecord, 'runId' | 'stepId' | 'pass'>): Promise<void>
  getSteps(runId: string): Promise<StepRecord[]>
  appendOutput(runId: string, stepId: string, pass: StepPass, line: string): Promise<void>

  appendEvent(event: RolloutEvent): Promise<void>
  getEvents(runId: string): Promise<RolloutEvent[]>

  /** Takes the environment's lock, or takes it over when the holder's lease expired or its process died. */
  acquireLock(environment: string, owner: LockOwner, leaseMs: number, isStale: (lock: LockRecord) => string | null): Promise<LockAttempt>
  renewLock(environment: string, runId: string, leaseMs: number): Promise<boolean>
  releaseLock(environment: string, runId: string): Promise<void>
  getLock(environment: string): Promise<LockRecord | null>
  forceUnlock(environment: string): Promise<LockRecord | null>

  close(): Promise<void>
}
