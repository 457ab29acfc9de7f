import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { StepKind } from '../../../src/engine/step-kind.js'
import { stepHarness, type StepContextOptions, type StepHarness } from '../../support/step-context.js'

export type GateHarness<O> = StepHarness<O>

interface TestContext {
  after(fn: () => void): void
}

/** A gate's context, removed when the test ends (see test/support/step-context.ts). */
export function gate<O>(t: TestContext, kind: StepKind<O>, opts: StepContextOptions = {}): GateHarness<O> {
  const h = stepHarness(kind, { runId: 'run-1', ...opts })
  t.after(h.cleanup)
  return h
}

/** A temporary folder removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'rollout-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
