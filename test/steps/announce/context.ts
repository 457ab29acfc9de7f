import type { StepKind } from '../../../src/engine/step-kind.js'
import { stepHarness, type StepContextOptions, type StepHarness } from '../../support/step-context.js'

export type { StepHarness }

/** An announcement or post-deployment step's context (see test/support/step-context.ts). */
export function harness<O>(kind: StepKind<O>, opts: StepContextOptions = {}): StepHarness<O> {
  return stepHarness(kind, { phase: 'post', stepId: 'step', ...opts })
}
