import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { StepKind } from '../../../src/engine/step-kind.js'
import { stepHarness, type StepContextOptions } from '../../support/step-context.js'

/** A backup step's context in the project folder `cwd` (see test/support/step-context.ts). */
export function stepContext<O>(kind: StepKind<O>, opts: StepContextOptions & { cwd: string }) {
  const h = stepHarness(kind, { phase: 'backup', runId: 'run-1', ...opts })
  return {
    ctx: h.ctx,
    logs: h.logs,
    readEvidence: h.readEvidence,
    run: h.run,
    /** What each checkpoint saved, in order. */
    get checkpoints() {
      return h.checkpoints.map((c) => c.data)
    },
    /** Names of the evidence files written. */
    get evidence() {
      return h.evidence.map((e) => path.basename(e.path))
    },
  }
}

export function tempProject(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-backup-step-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
