import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Channel } from '../../shared/channel.js'
import { OPTION_FILE_PATH, openOptionFile } from './defaults-file.js'
import { DatabaseError } from './errors.js'
import { readPieces, type WholeRead } from './read-pieces.js'
import type { ReplayPiece, RowsPart } from './replay-plan.js'
import { RowChunker } from './row-chunks.js'
import type { ReplayInto, ReplayResult } from './replay.js'
import { rewriteStatements } from './sql-rewrite.js'
import { spawnStage, type ChildStage } from './stages.js'
import { clientArguments, findClientTool } from './tools.js'

export interface LoadRowsOptions extends ReplayInto, WholeRead {
  /** The data parts to load; their tables exist already (empty). */
  parts: RowsPart[]
  /** Client sessions loading at once. */
  connections: number
  /** A chunk of statements handed to one session: about this many bytes. */
  chunkBytes: number
  /** Passed through as the progress stage. */
  stage: 'restore' | 'verify'
}

/**
 * Loads tables' rows through several client sessions at once: one read of the dump (only the
 * frames that hold the rows, where the file has frames), each data part cut into chunks of whole
 * INSERT statements (row-chunks.ts), every chunk handed to whichever session is free, so that one
 * large table is loaded by all of them. A chunk is held in memory only while it waits: at most
 * `connections` chunks are queued.
 */
export async function loadRows(opts: LoadRowsOptions): Promise<ReplayResult> {
  const started = performance.now()
  if (opts.signal?.aborted) throw new DatabaseError('ABORTED', 'stopped before the rows were loaded')
  const client = await findClientTool(opts.server)
  const header: ReplayPiece = { ...opts.manifest.layout.header, rewrite: true }
  const pieces: ReplayPiece[] = [header, ...opts.parts.map((p) => ({ start: p.start, end: p.end, rewrite: false, completesTable: p.table }))]
  const total = opts.parts.reduce((n, p) => n + p.end - p.start, 0)
  const read = readPieces(opts, pieces, opts)
  const chunks = new Channel<Buffer[]>(opts.connections)
  const sessions: ChildStage[] = []
  const stopAll = () => {
    for (const s of sessions) s.kill()
    read.stop()
    chunks.close(new DatabaseError('ABORTED', 'stopped'))
  }
  opts.signal?.addEventListener('abort', stopAll, { once: true })
  let wrote = false
  let bytes = 0
  let tablesDone = 0
  try {
    const sessionsDone: Promise<void>[] = []
    async function runSession(index: number, settings: Buffer): Promise<void> {
      const session = spawnStage(`${client.path.split('/').pop()} (loading rows into ${opts.database}, session ${index + 1})`, client.path, clientArguments(OPTION_FILE_PATH, opts.database), 'RESTORE_FAILED', 'pipe', openOptionFile(opts.target))
      sessions.push(session)
      async function* feed() {
        yield settings
        for await (const chunk of chunks) {
          if (!wrote) opts.onFirstWrite?.()
          wrote = true
          for (const statements of chunk) yield statements
        }
      }
      const [fed, ran] = await Promise.allSettled([pipeline(Readable.from(feed()), session.input), session.done])
      // The client's own message names the statement; a broken pipe only says that it stopped.
      if (ran.status === 'rejected') throw ran.reason
      if (fed.status === 'rejected') throw fed.reason
    }
    // A session that fails stops the others and the read: its error is the one reported, not
    // theirs at being stopped.
    let firstFailure: { error: unknown } | null = null
    const startSession = (index: number, settings: Buffer) => {
      const done = runSession(index, settings).catch((error: unknown) => {
        firstFailure ??= { error }
        chunks.close(error)
        read.stop()
        for (const s of sessions) s.kill()
        throw error
      })
      // Awaited once the read has ended; until then a failure must not count as unhandled.
      done.catch(() => {})
      sessionsDone.push(done)
    }
    const feeding = (async () => {
      // The dump's session settings go first to every session.
      const headerBytes: Buffer[] = []
      let chunker = new RowChunker(opts.chunkBytes)
      for await (const { piece, part, last } of read.parts) {
        if (piece === header) {
          headerBytes.push(Buffer.from(part))
          if (!last) continue
          const settings = Buffer.from(rewriteStatements(Buffer.concat(headerBytes).toString('utf8'), opts.rewrite), 'utf8')
          for (let i = 0; i < opts.connections; i++) startSession(i, settings)
          continue
        }
        for (const chunk of chunker.push(part)) await chunks.put(chunk)
        bytes += part.length
        opts.onProgress?.({ stage: opts.stage, tablesDone, tablesTotal: opts.parts.length, bytesDone: bytes, bytesTotal: total })
        if (!last) continue
        for (const chunk of chunker.end()) await chunks.put(chunk)
        chunker = new RowChunker(opts.chunkBytes)
        tablesDone++
        opts.onProgress?.({ stage: opts.stage, tablesDone, tablesTotal: opts.parts.length, bytesDone: bytes, bytesTotal: total, table: piece.completesTable! })
      }
      chunks.close()
    })()
    // Sessions start once the header is read; the feeding's end means every one has started.
    await feeding.catch((error: unknown) => chunks.close(error))
    // Every session is waited for, not only until the first fails: none is left running (or unreaped).
    const allSessions = Promise.allSettled(sessionsDone).then(() => {
      if (firstFailure) throw firstFailure.error
    })
    const [fed, loaded, readDone] = await Promise.allSettled([feeding, allSessions, read.done])
    if (opts.signal?.aborted) {
      if (!wrote) throw new DatabaseError('ABORTED', `loading rows into ${opts.database} was stopped before anything was sent`)
      throw new DatabaseError('ABORTED', `loading rows into ${opts.database} was stopped before it finished: the database may be partly restored`, 'run the restore again to finish it')
    }
    if (loaded.status === 'rejected') throw loaded.reason
    if (readDone.status === 'rejected') throw readDone.reason
    if (fed.status === 'rejected') throw new DatabaseError('RESTORE_FAILED', `loading rows failed: ${(fed.reason as Error).message}`, undefined, { cause: fed.reason })
    const { fileBytesRead, file } = readDone.value
    return { bytes, fileBytesRead, durationMs: performance.now() - started, ...(file ? { file } : {}) }
  } finally {
    opts.signal?.removeEventListener('abort', stopAll)
    for (const s of sessions) s.kill()
    read.stop()
  }
}
