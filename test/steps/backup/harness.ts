import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { environmentSchema } from '../../../src/config/schema.js'
import { Redactor } from '../../../src/config/redact.js'
import type { ResolvedConfig } from '../../../src/config/types.js'
import { writeEvidenceFile } from '../../../src/engine/evidence.js'
import type { StepContext, StepKind, StepOutcome } from '../../../src/engine/step-kind.js'

/**
 * A step context as the engine builds one: the environment through the real config schema,
 * options through the kind's schema, evidence through the real redacting writer.
 */
export function stepContext<O>(
  kind: StepKind<O>,
  opts: { cwd: string; environment: Record<string, unknown>; options?: Record<string, unknown>; outputs?: Record<string, Record<string, unknown>> },
) {
  const runFolder = path.join(opts.cwd, '.rollout', 'runs', 'run-1')
  const stepDir = path.join(runFolder, kind.kind)
  const environment = environmentSchema.parse({ url: 'https://staging.terp-app.local', ...opts.environment })
  const redactor = new Redactor()
  const logs: string[] = []
  const checkpoints: Record<string, unknown>[] = []
  const evidence: string[] = []
  const options = (kind.options ? kind.options.parse(opts.options ?? {}) : (opts.options ?? {})) as O
  const ctx: StepContext<O> = {
    runId: 'run-1',
    step: { id: kind.kind, title: kind.kind, phase: 'backup', kind: kind.kind, options: options as Record<string, unknown>, gate: 'blocking', timeoutMs: 600_000, retries: 0, after: [], built: true, changesEnvironment: false, undoable: false },
    options,
    environmentName: 'staging',
    environment,
    config: { contacts: {}, environments: { staging: environment }, stateDir: '.rollout', file: path.join(opts.cwd, 'rollout.config.ts'), root: opts.cwd } as ResolvedConfig,
    cwd: opts.cwd,
    signal: AbortSignal.timeout(120_000),
    log: (line) => void logs.push(redactor.redact(line)),
    writeEvidence: async (name, content, label) => {
      const ref = await writeEvidenceFile(runFolder, stepDir, name, content, redactor, label)
      evidence.push(name)
      return ref
    },
    evidenceDir: stepDir,
    addEvidence: async (file, label) => ({ path: file, label: label ?? file }),
    checkpoint: async (data) => void checkpoints.push(structuredClone(data)),
    outputs: new Map(Object.entries(opts.outputs ?? {})),
    redactor,
    verifyingRollback: false,
  }
  return {
    ctx,
    logs,
    checkpoints,
    evidence,
    readEvidence: (name: string) => readFileSync(path.join(stepDir, name), 'utf8'),
    run: (): Promise<StepOutcome> => kind.run(ctx),
  }
}

export function tempProject(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-backup-step-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
