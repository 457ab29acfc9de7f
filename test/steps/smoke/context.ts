import type { StepKind } from '../../../src/engine/step-kind.js'
import { stepHarness, type StepContextOptions, type StepHarness } from '../../support/step-context.js'

export type { StepHarness }

/** A smoke step's context (see test/support/step-context.ts). */
export function harness<O>(kind: StepKind<O>, opts: StepContextOptions = {}): StepHarness<O> {
  return stepHarness(kind, { phase: 'smoke', stepId: 'step', ...opts })
}
