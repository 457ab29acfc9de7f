import type { StepRecord } from './store.js'

export interface RollbackProof {
  /** At least one verification step ran and passed, and none failed. */
  verified: boolean
  passed: string[]
  failed: string[]
}

/**
 * What the proof pass after a rollback (the smoke steps re-run against what was put back) proved.
 * Steps that were skipped or only warned prove nothing: a rollback is "verified" only when a check
 * actually ran against what was put back. Pure.
 */
export function rollbackProof(steps: readonly Pick<StepRecord, 'pass' | 'stepId' | 'status'>[]): RollbackProof {
  const proof = steps.filter((s) => s.pass === 'proof')
  const passed = proof.filter((s) => s.status === 'passed').map((s) => s.stepId)
  const failed = proof.filter((s) => s.status === 'failed' || s.status === 'cancelled').map((s) => s.stepId)
  return { verified: passed.length > 0 && failed.length === 0, passed, failed }
}
