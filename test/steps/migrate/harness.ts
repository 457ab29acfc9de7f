import type { StepKind } from '../../../src/engine/step-kind.js'
import { stepHarness, type StepContextOptions, type StepHarness } from '../../support/step-context.js'

export type Harness<O> = StepHarness<O>

/** A migrate or deploy step's context, with its checkpoints and undo (see test/support/step-context.ts). */
export function harness<O>(kind: StepKind<O>, opts: StepContextOptions = {}): Harness<O> {
  return stepHarness(kind, { phase: 'migrate', ...opts })
}
