import type { Redactor } from '../config/redact.js'
import type { ResolvedConfig, ResolvedEnvironment } from '../config/types.js'
import type { Plan } from '../plan/types.js'
import type { StepKind } from './step-kind.js'
import type { Recorder } from './recorder.js'
import type { Store } from './store.js'

/** Everything one run's steps share. Built once by the API, passed down; no globals. */
export interface RunState {
  runId: string
  store: Store
  recorder: Recorder
  plan: Plan
  config: ResolvedConfig
  environmentName: string
  environment: ResolvedEnvironment
  redactor: Redactor
  stateDir: string
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
  findKind: (name: string) => StepKind<any> | undefined
}
