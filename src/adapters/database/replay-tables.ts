import os from 'node:os'
import type { Connection } from 'mysql2/promise'
import { closeQuietly, eachOnConnections, openConnection } from './connect.js'
import { addBackStatement, planDeferredKeys } from './deferred-keys.js'
import { DatabaseError } from './errors.js'
import { loadRows } from './parallel-load.js'
import { replay, type ReplayInto, type ReplayResult } from './replay.js'
import { planPhases, planReplay, replayBytes } from './replay-plan.js'
import { wholeRead, type WholeRead } from './read-pieces.js'

/** Rows below this are loaded through one client unless sessions are asked for: the phases' extra reads would cost more than they gain. */
const PARALLEL_MIN_ROW_BYTES = 64 * 1024 * 1024
const CHUNK_BYTES = 8 * 1024 * 1024

/** Sessions loading rows at once by default: one per core, two to four. */
function defaultSessions(): number {
  return Math.min(4, Math.max(2, os.availableParallelism()))
}

export interface TablesReplayed extends ReplayResult {
  /** Client sessions that loaded rows at once (1: everything through one). */
  sessions: number
  /** Tables whose secondary indexes and foreign keys were added after their rows (deferred-keys.ts). */
  indexesAfterRows: string[]
}

export interface ReplayTablesOptions extends WholeRead {
  /** Sessions loading rows at once; given, they are used whatever the size (1: one client for everything). */
  sessions?: number
  /** Passed through as the progress stage. */
  stage: 'restore' | 'verify'
  log?: (line: string) => void
}

/**
 * Replays whole tables (all when `tables` is null) with their rows, triggers, and the dump's views,
 * routines and events. Large rows are loaded by several sessions at once: the tables are created
 * first (large ones without their secondary indexes: deferred-keys.ts), then their rows go in
 * (parallel-load.ts), then the indexes, then triggers, views, routines and events, so that no
 * trigger fires on a restored row. With `readToEnd` or `tap`, the rows' read is the one that
 * reads the whole file, and its hash is returned.
 */
export async function replayTables(into: ReplayInto, tables: ReadonlySet<string> | null, opts: ReplayTablesOptions): Promise<TablesReplayed> {
  const started = performance.now()
  const whole = planReplay(into.manifest, tables)
  const phases = planPhases(into.manifest, tables)
  const rowBytes = phases.rows.reduce((n, p) => n + p.end - p.start, 0)
  const sessions = opts.sessions ?? defaultSessions()
  const readWhole = wholeRead(opts)
  if (sessions < 2 || !phases.rows.length || (opts.sessions === undefined && rowBytes < PARALLEL_MIN_ROW_BYTES)) {
    return { ...(await replay({ ...into, pieces: whole, stage: opts.stage, ...readWhole })), sessions: 1, indexesAfterRows: [] }
  }
  opts.log?.(`loading ${Math.round(rowBytes / 1e6)} MB of rows on ${sessions} sessions at once`)
  const deferred = planDeferredKeys(into.manifest.tables, new Map(phases.rows.map((p) => [p.table, p.end - p.start])))
  const structure = await replay({ ...into, rewrite: { ...into.rewrite, deferKeys: deferred }, pieces: phases.structure, stage: opts.stage })
  const rows = await loadRows({ ...into, parts: phases.rows, connections: sessions, chunkBytes: CHUNK_BYTES, stage: opts.stage, ...readWhole })
  if (deferred.size) {
    opts.log?.(`building the secondary indexes of ${[...deferred.keys()].join(', ')} after their rows`)
    await addKeysBack(into, deferred, sessions, opts.stage)
  }
  const after = await replay({ ...into, pieces: phases.after, stage: opts.stage })
  return {
    bytes: replayBytes(whole),
    fileBytesRead: structure.fileBytesRead + rows.fileBytesRead + after.fileBytesRead,
    durationMs: performance.now() - started,
    ...(rows.file ? { file: rows.file } : {}),
    sessions,
    indexesAfterRows: [...deferred.keys()],
  }
}

/**
 * Adds each table's deferred keys and foreign keys back in one ALTER TABLE, several tables at once.
 * Foreign key checks are off, as in the dump: the rows are the backup's, and InnoDB then adds
 * a foreign key without reading them.
 */
async function addKeysBack(into: ReplayInto, deferred: ReadonlyMap<string, readonly string[]>, sessions: number, stage: ReplayTablesOptions['stage']): Promise<void> {
  const conns: Connection[] = []
  const stop = () => conns.forEach((c) => c.destroy())
  into.signal?.addEventListener('abort', stop, { once: true })
  let done = 0
  try {
    for (let i = 0; i < Math.min(sessions, deferred.size); i++) {
      const conn = await openConnection(into.target)
      conns.push(conn)
      await conn.query('SET SESSION foreign_key_checks = 0')
    }
    await eachOnConnections(conns, [...deferred], async (conn, [table, lines]) => {
      into.signal?.throwIfAborted()
      await conn.query(addBackStatement(table, lines)).catch((error: unknown) => {
        if (into.signal?.aborted) throw new DatabaseError('ABORTED', `building the indexes of ${table} was stopped: the database may be partly restored`, 'run the restore again to finish it')
        throw new DatabaseError('RESTORE_FAILED', `building the indexes of ${table} after its rows failed: ${(error as Error).message}`, undefined, { cause: error })
      })
      into.onProgress?.({ stage, tablesDone: ++done, tablesTotal: deferred.size, bytesDone: 0, bytesTotal: null, table })
    })
  } finally {
    into.signal?.removeEventListener('abort', stop)
    await Promise.all(conns.map(closeQuietly))
  }
}
