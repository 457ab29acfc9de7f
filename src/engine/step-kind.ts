import type { ZodType } from 'zod'
import type { PlannedStep } from '../plan/types.js'
import type { ResolvedConfig, ResolvedEnvironment } from '../config/types.js'
import type { Redactor } from '../config/redact.js'

/**
 * What a step kind reports. A thrown error counts as `failed` with the error's message.
 * `data` is JSON, stored in the run record: later steps read it (ctx.outputs), and so does the undo,
 * even in another process after a crash.
 */
export interface StepOutcome {
  status: 'passed' | 'failed' | 'warning' | 'skipped'
  summary: string
  data?: Record<string, unknown>
}

export interface EvidenceRef {
  /** Path relative to the run's folder. */
  path: string
  label: string
}

export interface StepContext<O = Record<string, unknown>> {
  runId: string
  step: PlannedStep
  /** The step's options, already validated by the kind's `options` schema. */
  options: O
  environmentName: string
  environment: ResolvedEnvironment
  config: ResolvedConfig
  /** Folder the config lives in; relative paths and commands start here. */
  cwd: string
  /** Aborted on timeout, cancellation (Ctrl-C) or when the run stops. Pass it to every IO call. */
  signal: AbortSignal
  /** One line of output; redacted, kept in the record and streamed as an event. */
  log(line: string): void
  /** Writes a file under `.rollout/runs/<run-id>/<step-id>/` and lists it in the record. */
  writeEvidence(name: string, content: string | Uint8Array, label?: string): Promise<EvidenceRef>
  /** Folder for evidence written by other means (a browser screenshot); call `addEvidence` for each file. */
  evidenceDir: string
  addEvidence(absolutePath: string, label?: string): Promise<EvidenceRef>
  /**
   * Saves data in the record at once, before the step finishes, so an undo after a crash still has it
   * (the deployment id that was live before a deploy, the backup a restore needs).
   */
  checkpoint(data: Record<string, unknown>): Promise<void>
  /**
   * Records a child process the step started (it leads a process group of its own): a rollout
   * killed meanwhile leaves it running, and the next resume or rollback waits for it or stops it
   * before judging what the step did. Resolves once the record holds it: a child started through
   * `runCommand`'s `onSpawn` waits for that before it runs.
   */
  trackProcess(pid: number): Promise<void>
  /**
   * What an earlier attempt of this step in this run recorded: a retry, or an attempt a crash
   * interrupted. A step that changes the environment keeps its "before" from the first attempt, so
   * a repeat never mistakes the half-changed environment for the original.
   */
  earlier: Record<string, unknown> | undefined
  /** `data` of the steps finished earlier in this run (and of earlier checkpoints), by step id. */
  outputs: ReadonlyMap<string, Record<string, unknown>>
  redactor: Redactor
  /** true when the step runs to prove a rollback (smoke tests after the undo). */
  provingRollback: boolean
  /** true in a first deploy (`run --first`): nothing was live before this run. */
  firstDeploy: boolean
  /**
   * The process environment given to the run (tokens, DATABASE_URL, PATH): read variables here,
   * never from `process.env`, so a program running several rollouts gives each its own.
   */
  env: NodeJS.ProcessEnv
  /**
   * Earlier finished runs of this environment (not this one), newest first, from the record. Optional:
   * a context built without a record leaves it out and kinds fall back (the announcement's estimate).
   */
  history?: () => Promise<PastRun[]>
  /** This run's steps so far (pass 'run') with their timings, for messages that report them. Optional. */
  runSteps?: () => Promise<RunStepTiming[]>
  /** The plan's steps, so a step can use another's settings (the rehearsal runs the migrate step's command). Optional. */
  planSteps?: readonly PlannedStep[]
  /**
   * Whether a run of the record is still going: `live` (this run, or one whose process holds its
   * lock), `ended` (finished, or its process died), `unknown` (no such run in this record). Lets a
   * step clean up what a killed run left without touching a live run's. Optional.
   */
  runLiveness?: (runId: string) => Promise<RunLiveness>
}

export type RunLiveness = 'live' | 'ended' | 'unknown'

/** A past run as the announcement's duration estimate needs it. */
export interface PastRun {
  status: string
  /** finishedAt − startedAt; null when the run never finished. */
  durationMs: number | null
}

/** One recorded step of the current run. */
export interface RunStepTiming {
  stepId: string
  phase: string
  title: string
  status: string
  startedAt: string | null
  durationMs: number | null
}

/** What a kind's settings are read from when the plan is built: no run, no record yet. */
export type SettingsContext<O> = Pick<StepContext<O>, 'options' | 'environment' | 'environmentName' | 'cwd'>

/** Context of an undo: the step's own recorded data, whether it finished or was interrupted. */
export interface UndoContext<O = Record<string, unknown>> extends StepContext<O> {
  /** What the step recorded: its final `data`, or its last checkpoint when it never finished. */
  recorded: Record<string, unknown>
  /** How the step ended: passed, failed, or interrupted (the process died while it ran). */
  endedAs: 'passed' | 'failed' | 'warning' | 'interrupted'
}

/**
 * A kind of step: one file under src/steps/. Keep heavy modules (database driver, browser) behind
 * `await import()` inside `run`, so `rollout --help` and `rollout plan` never load them.
 */
export interface StepKind<O = Record<string, unknown>> {
  kind: string
  description: string
  /** The first step whose kind changes the environment is the point of no return. */
  changesEnvironment?: boolean
  /**
   * Talks to the running app (or reads its logs): before the deploy of a first deploy
   * (`run --first`), when nothing runs yet, such a step is skipped, saying why.
   */
  needsLiveApp?: boolean
  /**
   * A step that changes the environment and was interrupted by a crash may be run again by
   * `rollout resume`: its `run` reads `ctx.earlier` and finds the earlier attempt's effect by
   * inspection. Without it, resume does not repeat such a step: it rolls the run back instead.
   */
  resumable?: boolean
  /** Validates options at the config boundary; errors name the step's key path. */
  options?: ZodType<O>
  run(ctx: StepContext<O>): Promise<StepOutcome>
  /** Puts back what `run` changed. Called in reverse order during a rollback. */
  undo?(ctx: UndoContext<O>): Promise<StepOutcome>
  /**
   * Reads the environment sections this kind takes its settings from (`monitor`, `logs`, `smoke`…)
   * and throws when they are wrong, naming the key. Called when the plan is built, so a bad section
   * stops `plan` and `run` before anything changes rather than in a step after the migration.
   */
  checkSettings?(ctx: SettingsContext<O>): void
  /**
   * Looks at the environment as it is now and says whether what the step changes is back as the run
   * found it. Called after a rollback, so its outcome states what was found, not what was intended.
   */
  inspect?(ctx: UndoContext<O>): Promise<Inspection>
  /** When only some option sets can be undone (a command step with an `undo` command). Default: `undo` exists. */
  canUndo?(options: O): boolean
}

/** What a step kind found when it looked at the environment after a rollback. */
export interface Inspection {
  /** `before`: as the run found it; `changed`: still as the run left it, or otherwise different; `unknown`: could not tell. */
  state: 'before' | 'changed' | 'unknown'
  detail: string
}

/** The step kinds a plan is built from and a run executes, by name: the built-in ones and a team's own. */
export interface StepKinds {
  find(name: string): StepKind<any> | undefined
  /** Every kind's name, sorted. */
  names(): string[]
}

export function defineStepKind<O>(kind: StepKind<O>): StepKind<O> {
  return kind
}
