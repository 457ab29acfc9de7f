import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { environmentSchema } from '../../../src/config/schema.js'
import { Redactor } from '../../../src/config/redact.js'
import type { ResolvedConfig } from '../../../src/config/types.js'
import { adoptEvidenceFile, writeEvidenceFile } from '../../../src/engine/evidence.js'
import type { EvidenceRef, StepContext, StepKind, StepOutcome, UndoContext } from '../../../src/engine/step-kind.js'

export interface Harness<O> {
  ctx: StepContext<O>
  logs: string[]
  evidence: EvidenceRef[]
  /** Every checkpoint, in order, with what `onCheckpoint` returned at that moment. */
  checkpoints: { data: Record<string, unknown>; seen?: unknown }[]
  dir: string
  readEvidence(name: string): string
  run(): Promise<StepOutcome>
  undo(recorded: Record<string, unknown>, endedAs: UndoContext['endedAs']): Promise<StepOutcome>
  cleanup(): void
}

/**
 * A step context as the engine builds one, without a run around it: the environment through the
 * real config schema, options through the kind's schema, evidence through the real (redacting)
 * writer into a temporary run folder. `onCheckpoint` looks at the world when a checkpoint is taken.
 */
export function harness<O>(
  kind: StepKind<O>,
  opts: {
    environment?: Record<string, unknown>
    options?: Record<string, unknown>
    outputs?: Record<string, Record<string, unknown>>
    signal?: AbortSignal
    onCheckpoint?: (data: Record<string, unknown>) => Promise<unknown>
  } = {},
): Harness<O> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-step-'))
  const runFolder = path.join(dir, '.rollout', 'runs', 'run-test-1')
  const stepDir = path.join(runFolder, kind.kind)
  const environment = environmentSchema.parse({ url: 'https://staging.terp-app.local', ...opts.environment })
  const redactor = new Redactor()
  const logs: string[] = []
  const evidence: EvidenceRef[] = []
  const checkpoints: Harness<O>['checkpoints'] = []
  const options = (kind.options ? kind.options.parse(opts.options ?? {}) : (opts.options ?? {})) as O
  const config = { contacts: {}, environments: { staging: environment }, stateDir: '.rollout', file: path.join(dir, 'rollout.config.ts'), root: dir } as ResolvedConfig
  const ctx: StepContext<O> = {
    runId: 'run-test-1',
    step: { id: kind.kind, title: kind.kind, phase: 'migrate', kind: kind.kind, options: options as Record<string, unknown>, gate: 'blocking', timeoutMs: 600_000, retries: 0, after: [], built: true, changesEnvironment: !!kind.changesEnvironment, undoable: !!kind.undo },
    options,
    environmentName: 'staging',
    environment,
    config,
    cwd: dir,
    signal: opts.signal ?? AbortSignal.timeout(60_000),
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
    outputs: new Map(Object.entries(opts.outputs ?? {})),
    redactor,
    verifyingRollback: false,
  }
  return {
    ctx,
    logs,
    evidence,
    checkpoints,
    dir,
    readEvidence: (name) => readFileSync(path.join(stepDir, name), 'utf8'),
    run: () => kind.run(ctx),
    undo: (recorded, endedAs) => kind.undo!({ ...ctx, recorded, endedAs }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
