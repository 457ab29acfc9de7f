import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { environmentSchema } from '../../src/config/schema.js'
import { Redactor } from '../../src/config/redact.js'
import type { ResolvedConfig } from '../../src/config/types.js'
import { adoptEvidenceFile, writeEvidenceFile } from '../../src/engine/evidence.js'
import type { EvidenceRef, PastRun, RunStepTiming, StepContext, StepKind, StepOutcome, UndoContext } from '../../src/engine/step-kind.js'
import type { Phase } from '../../src/plan/phases.js'

export interface StepContextOptions {
  environment?: Record<string, unknown>
  options?: Record<string, unknown>
  /** `data` of earlier steps, by step id. */
  outputs?: Record<string, Record<string, unknown>>
  signal?: AbortSignal
  /** Values the redactor hides, as a secret() in the config would. */
  secrets?: string[]
  phase?: Phase
  /** The config's folder; a fresh temporary one by default. */
  cwd?: string
  /** The step's id; by default the kind's name. */
  stepId?: string
  runId?: string
  contacts?: ResolvedConfig['contacts']
  history?: PastRun[]
  runSteps?: RunStepTiming[]
  /** Looks at the world when a checkpoint is taken; what it returns is kept beside the checkpoint. */
  onCheckpoint?: (data: Record<string, unknown>) => Promise<unknown>
  /** The variables the step reads (default this process's). */
  env?: NodeJS.ProcessEnv
}

export interface StepHarness<O> {
  ctx: StepContext<O>
  logs: string[]
  evidence: EvidenceRef[]
  /** Every checkpoint, in order, with what `onCheckpoint` returned at that moment. */
  checkpoints: { data: Record<string, unknown>; seen?: unknown }[]
  /** The config's folder, holding the run folder: `cwd`, or a fresh temporary one. */
  dir: string
  cwd: string
  /** Folder the run's evidence paths are relative to. */
  runFolder: string
  evidencePath(ref: EvidenceRef): string
  readEvidence(name: string): string
  run(): Promise<StepOutcome>
  undo(recorded: Record<string, unknown>, endedAs: UndoContext['endedAs']): Promise<StepOutcome>
  cleanup(): void
}

/**
 * A step context as the engine builds one, without a run around it: the environment through the
 * real config schema, options through the kind's schema, evidence through the real (redacting)
 * writer into a temporary run folder, log lines through the redactor.
 */
export function stepHarness<O>(kind: StepKind<O>, opts: StepContextOptions = {}): StepHarness<O> {
  const dir = opts.cwd ?? mkdtempSync(path.join(os.tmpdir(), 'rollout-step-'))
  const cwd = dir
  const runId = opts.runId ?? 'run-test-1'
  const stepId = opts.stepId ?? kind.kind
  const runFolder = path.join(dir, '.rollout', 'runs', runId)
  const stepDir = path.join(runFolder, stepId)
  const environment = environmentSchema.parse({ url: 'https://staging.terp-app.local', ...opts.environment })
  const redactor = new Redactor()
  for (const s of opts.secrets ?? []) redactor.add(s)
  if (environment.database?.url) redactor.addUrl(environment.database.url)
  const logs: string[] = []
  const evidence: EvidenceRef[] = []
  const checkpoints: StepHarness<O>['checkpoints'] = []
  const options = (kind.options ? kind.options.parse(opts.options ?? {}) : (opts.options ?? {})) as O
  const config = { contacts: opts.contacts ?? {}, environments: { staging: environment }, stateDir: '.rollout', kinds: [], file: path.join(cwd, 'rollout.config.ts'), root: cwd } as ResolvedConfig
  const ctx: StepContext<O> = {
    runId,
    step: {
      id: stepId, title: kind.kind, phase: opts.phase ?? 'preflight', kind: kind.kind, options: options as Record<string, unknown>, gate: 'blocking',
      timeoutMs: 600_000, retries: 0, after: [], changesEnvironment: !!kind.changesEnvironment, undoable: !!kind.undo,
    },
    options,
    environmentName: 'staging',
    environment,
    config,
    env: opts.env ?? process.env,
    cwd,
    signal: opts.signal ?? AbortSignal.timeout(120_000),
    log: (line) => void logs.push(redactor.redact(line)),
    writeEvidence: async (name, content, label) => {
      const ref = await writeEvidenceFile(runFolder, stepDir, name, content, redactor, label)
      evidence.push(ref)
      return ref
    },
    evidenceDir: stepDir,
    addEvidence: async (file, label) => {
      const ref = await adoptEvidenceFile(runFolder, stepDir, file, label)
      evidence.push(ref)
      return ref
    },
    checkpoint: async (data) => {
      checkpoints.push({ data: structuredClone(data), seen: opts.onCheckpoint ? await opts.onCheckpoint(data) : undefined })
    },
    trackProcess: async () => {},
    earlier: opts.outputs?.[stepId],
    outputs: new Map(Object.entries(opts.outputs ?? {})),
    redactor,
    provingRollback: false,
    firstDeploy: false,
    ...(opts.history ? { history: async () => opts.history! } : {}),
    ...(opts.runSteps ? { runSteps: async () => opts.runSteps! } : {}),
  }
  return {
    ctx,
    logs,
    evidence,
    checkpoints,
    dir,
    cwd,
    runFolder,
    evidencePath: (ref) => path.join(runFolder, ref.path),
    readEvidence: (name) => readFileSync(path.join(stepDir, name), 'utf8'),
    run: () => kind.run(ctx),
    undo: (recorded, endedAs) => kind.undo!({ ...ctx, recorded, endedAs }),
    // A folder the caller gave is theirs: only the run folder made here goes.
    cleanup: () => rmSync(opts.cwd ? runFolder : dir, { recursive: true, force: true }),
  }
}
