import type { Phase } from './phases.js'

export type Gate = 'blocking' | 'warning'

/** One step of a plan, as the config and the default plan describe it. Pure data. */
export interface StepSpec {
  id: string
  title: string
  phase: Phase
  kind: string
  options: Record<string, unknown>
  /** blocking: a failure stops the run (or starts the rollback); warning: recorded, the run goes on. */
  gate: Gate
  timeoutMs: number
  /** Extra attempts after a failure (0 = run once). */
  retries: number
  /** Ids of steps in the same phase that must finish first; the rest of a phase runs concurrently. */
  after: string[]
  /** Overrides the kind's own answer to "does this step change the environment?". */
  changesEnvironment?: boolean
}

/** A step as `plan` shows it and `run` executes it: the spec plus what the kind registry knows. */
export interface PlannedStep extends StepSpec {
  /** true when the step changes the environment; the first such step is the point of no return. */
  changesEnvironment: boolean
  /** true when the kind can undo what it did (a rollback calls it). */
  undoable: boolean
}

export interface Plan {
  environment: string
  steps: PlannedStep[]
  /** Id of the first step that changes the environment, or null when none does. */
  pointOfNoReturn: string | null
  /** Phases re-run after the undo to prove the rollback: the proof pass. */
  rollbackProofPhases: Phase[]
  /** Set when only some phases run (`rollout check`): such a run changes nothing. */
  only?: Phase[]
}
