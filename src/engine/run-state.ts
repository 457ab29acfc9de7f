import type { Redactor } from '../config/redact.js'
import type { ResolvedConfig, ResolvedEnvironment } from '../config/types.js'
import type { Plan } from '../plan/types.js'
import type { StepKinds } from './step-kind.js'
import type { Recorder } from './recorder.js'
import type { Store } from './store.js'

/** One environment, resolved and planned: what a run executes. Built by the caller from the config. */
export interface RunSetup {
  plan: Plan
  config: ResolvedConfig
  environmentName: string
  environment: ResolvedEnvironment
  redactor: Redactor
  stateDir: string
  configFile: string
}

/** Everything one run's steps share. Built once when the run starts, passed down; no globals. */
export interface RunState extends Omit<RunSetup, 'configFile'> {
  runId: string
  store: Store
  recorder: Recorder
  /** Aborted on Ctrl-C: steps stop, nothing new starts. */
  signal: AbortSignal
  /** Data of finished steps (and checkpoints), by step id. */
  outputs: Map<string, Record<string, unknown>>
  /** Whether a step that changes the environment has started in this run. */
  crossed: boolean
  /** Steps (pass run) a crash interrupted, when this process resumes a run; empty otherwise. */
  interrupted: ReadonlySet<string>
  /** Next start-order number; undo walks them backwards. */
  nextSeq: number
  kinds: StepKinds
  /** The process environment steps read (tokens, DATABASE_URL, PATH): given to the run, never read from the global. */
  env: NodeJS.ProcessEnv
  keepEvidence?: EvidenceKeeper
  /** Set once a copy of the evidence failed: the warning is given once per run. */
  evidenceCopyFailed?: boolean
}

/** Copies a run's folder (evidence, reports) where other machines read it; throws when it cannot. */
export type EvidenceKeeper = (runId: string, folder: string) => Promise<void>
