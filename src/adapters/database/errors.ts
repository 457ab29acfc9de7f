import { RolloutError } from '../../shared/errors.js'

/** Why a database operation failed; a step or the CLI picks its message and hint from it. */
export type DatabaseFailure =
  | 'URL' // the database URL is malformed or names no database
  | 'CONNECT' // the server cannot be reached
  | 'AUTH' // user or password refused
  | 'NO_DATABASE' // the database does not exist
  | 'PRIVILEGE' // the account lacks a privilege the operation needs
  | 'TOOL_MISSING' // mariadb-dump / mysqldump / mariadb / zstd not installed
  | 'DUMP_FAILED' // the dump tool or the compressor failed
  | 'DISK_FULL' // no space left for the backup file
  | 'NOT_WRITABLE' // the backup folder is read-only or not this user's
  | 'NOT_FOUND' // no such backup
  | 'INVALID_BACKUP' // the backup failed verification
  | 'WRONG_DATABASE' // the backup is of another database
  | 'KEY' // encryption key missing, malformed or not the one the backup used
  | 'RESTORE_FAILED' // the restore did not complete, or its proof failed
  | 'ABORTED' // stopped through the abort signal

export class DatabaseError extends RolloutError {
  constructor(
    readonly reason: DatabaseFailure,
    message: string,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(reason === 'NOT_FOUND' || reason === 'URL' ? 'USAGE' : 'RUN', message, hint, options)
    this.name = 'DatabaseError'
  }
}

/** Turns a mysql2 error into one that says what to fix. Never includes the password: mysql2 messages do not. */
export function describeConnectError(error: unknown, where: { host: string; port: number; user: string; database?: string }): DatabaseError {
  const e = error as { code?: string; errno?: number; message?: string }
  const at = `${where.user}@${where.host}:${where.port}`
  switch (e.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new DatabaseError('AUTH', `the server at ${where.host}:${where.port} refused user "${where.user}": wrong password or no such user`, 'check the user and password in the database URL', { cause: error })
    case 'ER_DBACCESS_DENIED_ERROR':
      return new DatabaseError('PRIVILEGE', `user "${where.user}" may not use database "${where.database}"`, `GRANT the needed privileges on \`${where.database}\`.* to that user`, { cause: error })
    case 'ER_BAD_DB_ERROR':
      return new DatabaseError('NO_DATABASE', `database "${where.database}" does not exist on ${where.host}:${where.port}`, 'check the database name at the end of the URL', { cause: error })
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new DatabaseError('CONNECT', `cannot reach the database server ${at} (${e.code})`, 'is the server running, and does a firewall let this machine in?', { cause: error })
    default:
      return new DatabaseError('CONNECT', `cannot connect to ${at}: ${e.message ?? String(error)}`, undefined, { cause: error })
  }
}

/**
 * A restore that failed before its first change reached the database: the message says the
 * database was not touched, and the CLI treats it as a clean refusal (never "partly restored").
 */
export class UntouchedError extends DatabaseError {
  readonly databaseUntouched = true
  constructor(error: unknown) {
    const e = error instanceof DatabaseError ? error : null
    super(e?.reason ?? 'RESTORE_FAILED', `${(error as Error)?.message ?? String(error)}; nothing in the database was changed`, e?.hint, { cause: error })
    this.name = 'UntouchedError'
  }
}
