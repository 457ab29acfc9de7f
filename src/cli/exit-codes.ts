import type { RunResult } from '../app/runs.js'
import { RolloutError } from '../shared/errors.js'

/** The contract users script against: the README's "Exit codes" table says the same. */
export const EXIT = {
  ok: 0,
  /** The rollout failed and the environment is as it was before. */
  failedClean: 1,
  usage: 2,
  /** Failed and the rollback did not complete: manual action needed. */
  needsHands: 3,
  locked: 4,
} as const

/** What each exit code tells a script (and the README's table). */
export const EXIT_MEANING: Record<number, string> = {
  [EXIT.ok]: 'success',
  [EXIT.failedClean]: 'the rollout failed and the environment is as it was (a gate stopped it before the point of no return, or the rollback completed and was proven)',
  [EXIT.usage]: 'usage or configuration error',
  [EXIT.needsHands]: 'failed and the rollback did not complete: manual action needed',
  [EXIT.locked]: 'the environment is locked by another run',
}

export function exitCodeForRun(result: RunResult): number {
  switch (result.status) {
    case 'passed':
      return EXIT.ok
    case 'failed':
    case 'rolled-back':
      return EXIT.failedClean
    case 'cancelled':
      return result.crossed ? EXIT.needsHands : EXIT.failedClean
    default:
      return EXIT.needsHands
  }
}

export function exitCodeForError(error: unknown, changesEnvironment: boolean): number {
  if (error instanceof RolloutError) {
    if (error.code === 'LOCKED') return EXIT.locked
    if (error.code === 'RUN') return changesEnvironment ? EXIT.needsHands : EXIT.failedClean
    return EXIT.usage
  }
  // Something unforeseen: after a command that may have changed the environment, assume it did.
  return changesEnvironment ? EXIT.needsHands : EXIT.failedClean
}
