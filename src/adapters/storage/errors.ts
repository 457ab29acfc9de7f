import { RolloutError } from '../../shared/errors.js'

/** Why reading or writing storage failed; the message names the location, never a credential. */
export type StorageFailure =
  | 'NOT_FOUND' // no such file or object, or no such bucket
  | 'ACCESS' // refused: credentials missing or wrong, no permission, read-only folder
  | 'FULL' // no space left
  | 'UNREACHABLE' // the storage endpoint did not answer
  | 'FAILED' // anything else, with the service's own words

export class StorageError extends RolloutError {
  constructor(
    readonly reason: StorageFailure,
    message: string,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super('RUN', message, hint, options)
    this.name = 'StorageError'
  }
}
