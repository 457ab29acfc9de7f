import os from 'node:os'

/**
 * This machine's name in locks and run records, which decides whether a holder's pid can be checked
 * here. ROLLOUT_HOST_NAME overrides it (read from the process, not a run's environment: it names
 * the process's machine), so two state folders on one machine can stand for two machines.
 */
export function hostName(): string {
  return process.env.ROLLOUT_HOST_NAME || os.hostname()
}
