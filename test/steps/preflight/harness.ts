import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { environmentSchema } from '../../../src/config/schema.js'
import { Redactor } from '../../../src/config/redact.js'
import type { ResolvedConfig } from '../../../src/config/types.js'
import { adoptEvidenceFile, writeEvidenceFile } from '../../../src/engine/evidence.js'
import type { EvidenceRef, StepContext, StepKind, StepOutcome } from '../../../src/engine/step-kind.js'
import type { Phase } from '../../../src/plan/phases.js'

export interface GateHarness<O> {
  ctx: StepContext<O>
  logs: string[]
  evidence: EvidenceRef[]
  /** The config's folder (a fresh temporary one unless `cwd` was given). */
  cwd: string
  readEvidence(name: string): string
  run(): Promise<StepOutcome>
}

/**
 * A step context as the engine builds one: the environment through the real config schema, options
 * through the kind's schema, evidence through the real (redacting) writer into a temporary run
 * folder. Everything is removed when the test ends.
 */
export function gate<O>(
  t: { after(fn: () => void): void },
  kind: StepKind<O>,
  opts: { environment?: Record<string, unknown>; options?: Record<string, unknown>; cwd?: string; phase?: Phase; secrets?: string[]; signal?: AbortSignal } = {},
): GateHarness<O> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-gate-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const cwd = opts.cwd ?? dir
  const runFolder = path.join(dir, '.rollout', 'runs', 'run-1')
  const stepDir = path.join(runFolder, kind.kind)
  const environment = environmentSchema.parse({ url: 'https://staging.terp-app.local', ...opts.environment })
  const redactor = new Redactor()
  for (const s of opts.secrets ?? []) redactor.add(s)
  if (environment.database?.url) redactor.addUrl(environment.database.url)
  const logs: string[] = []
  const evidence: EvidenceRef[] = []
  const options = (kind.options ? kind.options.parse(opts.options ?? {}) : (opts.options ?? {})) as O
  const config = { contacts: {}, environments: { staging: environment }, stateDir: '.rollout', file: path.join(cwd, 'rollout.config.ts'), root: cwd } as ResolvedConfig
  const ctx: StepContext<O> = {
    runId: 'run-1',
    step: { id: kind.kind, title: kind.kind, phase: opts.phase ?? 'preflight', kind: kind.kind, options: options as Record<string, unknown>, gate: 'blocking', timeoutMs: 600_000, retries: 0, after: [], built: true, changesEnvironment: false, undoable: false },
    options,
    environmentName: 'staging',
    environment,
    config,
    cwd,
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
    checkpoint: async () => {},
    outputs: new Map(),
    redactor,
    verifyingRollback: false,
  }
  return {
    ctx,
    logs,
    evidence,
    cwd,
    readEvidence: (name) => readFileSync(path.join(stepDir, name), 'utf8'),
    run: () => kind.run(ctx),
  }
}

/** A temporary folder removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'rollout-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
