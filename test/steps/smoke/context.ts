import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { environmentSchema } from '../../../src/config/schema.js'
import { Redactor } from '../../../src/config/redact.js'
import type { ResolvedConfig } from '../../../src/config/types.js'
import { adoptEvidenceFile, writeEvidenceFile } from '../../../src/engine/evidence.js'
import type { EvidenceRef, StepContext, StepKind, StepOutcome } from '../../../src/engine/step-kind.js'

export interface StepHarness<O> {
  ctx: StepContext<O>
  logs: string[]
  evidence: EvidenceRef[]
  dir: string
  /** Folder the run's evidence paths are relative to. */
  runFolder: string
  evidencePath(ref: EvidenceRef): string
  readEvidence(name: string): string
  run(): Promise<StepOutcome>
  cleanup(): void
}

/**
 * A step context as the engine builds one, without a run around it: the environment through the
 * real config schema, options through the kind's schema, evidence through the real writer
 * (redacted, into a temporary run folder), log lines through the redactor.
 */
export function harness<O>(
  kind: StepKind<O>,
  opts: {
    environment?: Record<string, unknown>
    options?: Record<string, unknown>
    outputs?: Record<string, Record<string, unknown>>
    signal?: AbortSignal
    secrets?: string[]
    phase?: 'smoke' | 'verify' | 'environment'
    cwd?: string
  } = {},
): StepHarness<O> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-smoke-'))
  const runFolder = path.join(dir, '.rollout', 'runs', 'run-test-1')
  const stepDir = path.join(runFolder, 'step')
  const environment = environmentSchema.parse({ url: 'https://staging.terp-app.local', ...opts.environment })
  const redactor = new Redactor()
  for (const s of opts.secrets ?? []) redactor.add(s)
  const logs: string[] = []
  const evidence: EvidenceRef[] = []
  const options = (kind.options ? kind.options.parse(opts.options ?? {}) : (opts.options ?? {})) as O
  const config = { contacts: {}, environments: { staging: environment }, stateDir: '.rollout', file: path.join(dir, 'rollout.config.ts'), root: dir } as ResolvedConfig
  const ctx: StepContext<O> = {
    runId: 'run-test-1',
    step: { id: 'step', title: kind.kind, phase: opts.phase ?? 'smoke', kind: kind.kind, options: options as Record<string, unknown>, gate: 'blocking', timeoutMs: 600_000, retries: 0, after: [], built: true, changesEnvironment: false, undoable: false },
    options,
    environmentName: 'staging',
    environment,
    config,
    cwd: opts.cwd ?? dir,
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
    checkpoint: async () => {},
    outputs: new Map(Object.entries(opts.outputs ?? {})),
    redactor,
    verifyingRollback: false,
  }
  return {
    ctx,
    logs,
    evidence,
    dir,
    runFolder,
    evidencePath: (ref) => path.join(runFolder, ref.path),
    readEvidence: (name) => readFileSync(path.join(stepDir, name), 'utf8'),
    run: () => kind.run(ctx),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
