/**
 * Errors the library throws, each with a code. Only src/cli turns them into exit codes and messages.
 */
export type RolloutErrorCode =
  | 'CONFIG' // the config file is missing, throws, or does not validate
  | 'USAGE' // bad arguments: unknown environment, unknown run id
  | 'LOCKED' // another run holds the environment
  | 'STATE' // the state folder or record cannot be read or written
  | 'RUN' // a run could not proceed for a reason outside the steps

export class RolloutError extends Error {
  constructor(
    readonly code: RolloutErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'RolloutError'
  }
}

export class ConfigError extends RolloutError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('CONFIG', message, hint, options)
    this.name = 'ConfigError'
  }
}

export interface LockOwner {
  runId: string
  user: string
  host: string
  pid: number
  since: string
  /** The CI job holding it, when there is one (its address). */
  ci?: string
}

export class LockedError extends RolloutError {
  constructor(
    readonly environment: string,
    readonly owner: LockOwner,
    hint = `wait for it to finish, or if that run is gone: rollout unlock ${environment} --force`,
  ) {
    super('LOCKED', `environment "${environment}" is locked by run ${owner.runId} (${owner.user}@${owner.host}, pid ${owner.pid}${owner.ci ? `, ${owner.ci}` : ''}) since ${owner.since}`, hint)
    this.name = 'LockedError'
  }
}
