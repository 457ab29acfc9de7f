import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { OPTION_FILE_PATH, openOptionFile } from './defaults-file.js'
import { DatabaseError } from './errors.js'
import type { BackupManifest } from './manifest.js'
import { readPieces, type WholeRead } from './read-pieces.js'
import { replayBytes, selectPieces, type ReplayPiece } from './replay-plan.js'
import { rewriteStatements, needsRewrite, type RewriteOptions } from './sql-rewrite.js'
import { spawnStage } from './stages.js'
import { clientArguments, findClientTool, type ServerInfo } from './tools.js'
import type { MysqlTarget } from './url.js'
import type { ProgressListener } from './progress.js'

/** Which backup goes into which database, through the server's own client. */
export interface ReplayInto {
  target: MysqlTarget
  /** The database the statements run in (the target's, or a scratch schema). */
  database: string
  server: Pick<ServerInfo, 'flavor'>
  /** The backup file's location: a local path or `s3://…`. */
  file: string
  manifest: BackupManifest
  key: Buffer | null
  /** Where object storage's settings and credentials are read. */
  env?: NodeJS.ProcessEnv
  rewrite: RewriteOptions
  signal?: AbortSignal
  onProgress?: ProgressListener
  /** Called just before the first bytes go to the client: from then on the database may change. */
  onFirstWrite?: () => void
}

export interface ReplayOptions extends ReplayInto, WholeRead {
  pieces: ReplayPiece[]
  /** Passed through as the progress stage. */
  stage: 'restore' | 'verify'
}

export interface ReplayResult {
  bytes: number
  /** Bytes of the backup file read (all of it, or the frames that held the pieces). */
  fileBytesRead: number
  durationMs: number
  /** Set when the whole file was read. */
  file?: { sha256: string; fileBytes: number }
}

/**
 * Streams the chosen pieces of a backup into the server's own client (which understands the
 * dump's DELIMITER blocks and conditional comments), credentials in an option file it reads
 * from an inherited descriptor (defaults-file.ts). The client stops at the first failing statement and its message becomes the error.
 */
export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now()
  const client = await findClientTool(opts.server)
  const total = replayBytes(opts.pieces)
  const tablesTotal = opts.pieces.filter((p) => p.completesTable).length
  const rewrite = needsRewrite(opts.rewrite) ? (sql: string) => rewriteStatements(sql, opts.rewrite) : null
  let bytes = 0
  let tablesDone = 0
  let wrote = false
  if (opts.signal?.aborted) throw new DatabaseError('ABORTED', 'stopped before the replay started')
  const read = readPieces(opts, opts.pieces, opts)
  const mysql = spawnStage(`${client.path.split('/').pop()} (restore into ${opts.database})`, client.path, clientArguments(OPTION_FILE_PATH, opts.database), 'RESTORE_FAILED', 'pipe', openOptionFile(opts.target))
  const onAbort = () => {
    mysql.kill()
    read.stop()
  }
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const progress = {
      bytes: (n: number) => {
        bytes += n
        opts.onProgress?.({ stage: opts.stage, tablesDone, tablesTotal, bytesDone: bytes, bytesTotal: total })
      },
      finished: (piece: ReplayPiece) => {
        if (!piece.completesTable) return
        tablesDone++
        opts.onProgress?.({ stage: opts.stage, tablesDone, tablesTotal, bytesDone: bytes, bytesTotal: total, table: piece.completesTable })
      },
    }
    async function* sent(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        if (!wrote) opts.onFirstWrite?.()
        wrote = true
        yield chunk
      }
    }
    const [fed, ran, readDone] = await Promise.allSettled([pipeline(Readable.from(sent(selectPieces(read.parts, rewrite, progress))), mysql.input), mysql.done, read.done])
    if (opts.signal?.aborted) {
      if (!wrote) throw new DatabaseError('ABORTED', `the replay into ${opts.database} was stopped before it sent anything`)
      throw new DatabaseError('ABORTED', `the replay into ${opts.database} was stopped before it finished: the database may be partly restored`, 'run the restore again to finish it')
    }
    // The client's own message says which statement failed; a broken pipe only says that it stopped.
    if (ran.status === 'rejected') throw ran.reason
    if (readDone.status === 'rejected') throw readDone.reason
    if (fed.status === 'rejected') {
      if (fed.reason instanceof DatabaseError) throw fed.reason
      throw new DatabaseError('RESTORE_FAILED', `replaying the backup failed: ${(fed.reason as Error).message}`, undefined, { cause: fed.reason })
    }
    const { fileBytesRead, file } = readDone.value
    return { bytes, fileBytesRead, durationMs: performance.now() - started, ...(opts.readToEnd && file ? { file } : {}) }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    mysql.kill()
    read.stop()
  }
}
