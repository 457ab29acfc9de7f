import type { Phase } from '../plan/phases.js'
import type { EvidenceRef } from './step-kind.js'

export type StepStatus =
  | 'pending'
  | 'running'
  | 'passed'
  | 'failed'
  | 'warning'
  | 'skipped'
  | 'cancelled'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed'

export type RunStatus =
  | 'running'
  | 'passed'
  /** Stopped before the point of no return: nothing was changed. */
  | 'failed'
  | 'rolling-back'
  /** Failed after the point of no return, rolled back, and the rollback was proven. */
  | 'rolled-back'
  /** The rollback did not complete: manual action needed. */
  | 'rollback-failed'
  | 'cancelled'
  /** Its process was gone and a newer run changed the environment since: neither resumed nor rolled back. */
  | 'abandoned'

/**
 * How a detached monitoring window ended: quiet; a breach only alerted; a breach rolled back (or the
 * rollback did not complete, or could not start); stopped before its end (a newer run, a rollback by hand).
 */
export type MonitorOutcome = 'quiet' | 'alerted' | 'rolled-back' | 'rollback-failed' | 'not-rolled-back' | 'stopped'

/** Which pass of a step: its normal run, or a re-run that proves a rollback. */
export type StepPass = 'run' | 'proof'

interface Base {
  runId: string
  at: string
}

export type RolloutEvent =
  | (Base & { type: 'run-started'; environment: string; resumed: boolean; steps: number; pointOfNoReturn: string | null })
  | (Base & { type: 'lock-taken-over'; environment: string; previous: { runId: string; user: string; host: string; pid: number; since: string }; reason: string })
  | (Base & { type: 'phase-started'; phase: Phase; pass: StepPass })
  | (Base & { type: 'step-started'; stepId: string; title: string; phase: Phase; attempt: number; pass: StepPass })
  | (Base & { type: 'step-output'; stepId: string; line: string; pass: StepPass })
  | (Base & { type: 'step-evidence'; stepId: string; evidence: EvidenceRef; pass: StepPass })
  | (Base & { type: 'step-retrying'; stepId: string; attempt: number; error: string; pass: StepPass })
  | (Base & { type: 'step-finished'; stepId: string; status: StepStatus; summary: string; durationMs: number; pass: StepPass })
  | (Base & { type: 'step-skipped'; stepId: string; title: string; phase: Phase; reason: string; pass: StepPass })
  | (Base & { type: 'point-of-no-return'; stepId: string; /** Absent in records written before it was added. */ title?: string })
  | (Base & { type: 'rollback-started'; reason: string })
  | (Base & { type: 'undo-started'; stepId: string; title: string })
  | (Base & { type: 'undo-finished'; stepId: string; status: 'rolled-back' | 'rollback-failed' | 'skipped'; summary: string; durationMs: number })
  | (Base & { type: 'rollback-finished'; status: 'rolled-back' | 'rollback-failed'; summary: string })
  | (Base & { type: 'warning'; message: string; stepId?: string })
  /** The monitor phase was left to a background watcher (`monitor.detach`, `run --detach-monitor`). */
  | (Base & { type: 'monitor-detached'; stepIds: string[]; pid: number })
  /** The background watcher's last word on the window it kept. */
  | (Base & { type: 'monitor-finished'; outcome: MonitorOutcome; summary: string })
  | (Base & { type: 'run-finished'; status: RunStatus; summary: string; durationMs: number; report?: string })

export type RolloutEventType = RolloutEvent['type']

/** Distributive Omit over the union, so each event keeps its own fields. */
export type EventInput = RolloutEvent extends infer E ? (E extends RolloutEvent ? Omit<E, 'runId' | 'at'> : never) : never

export type EventListener = (event: RolloutEvent) => void
