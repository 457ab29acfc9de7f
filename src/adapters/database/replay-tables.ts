import os from 'node:os'
import { loadRows } from './parallel-load.js'
import { replay, type ReplayInto, type ReplayResult } from './replay.js'
import { planPhases, planReplay, replayBytes } from './replay-plan.js'

/** Rows below this are loaded through one client unless sessions are asked for: the phases' extra reads would cost more than they gain. */
const PARALLEL_MIN_ROW_BYTES = 64 * 1024 * 1024
const CHUNK_BYTES = 8 * 1024 * 1024

/** Sessions loading rows at once by default: one per core, two to four. */
function defaultSessions(): number {
  return Math.min(4, Math.max(2, os.availableParallelism()))
}

export interface ReplayTablesOptions {
  /** Sessions loading rows at once; given, they are used whatever the size (1: one client for everything). */
  sessions?: number
  /** Passed through as the progress stage. */
  stage: 'restore' | 'verify'
  /** Reads the whole file, to the end: the result then has its hash. */
  readToEnd?: boolean
  /** Sees every byte of the dump, in order (a verification scans it); reads the whole file. */
  tap?: (chunk: Buffer) => void
  log?: (line: string) => void
}

/**
 * Replays whole tables (all when `tables` is null) with their rows, triggers, and the dump's views,
 * routines and events. Large rows are loaded by several sessions at once: the tables are created
 * first, then their rows go in (parallel-load.ts), then triggers, views, routines and events, so
 * that no trigger fires on a restored row. With `readToEnd` or `tap`, the rows' read is the one that
 * reads the whole file, and its hash is returned.
 */
export async function replayTables(into: ReplayInto, tables: ReadonlySet<string> | null, opts: ReplayTablesOptions): Promise<ReplayResult & { sessions: number }> {
  const started = performance.now()
  const whole = planReplay(into.manifest, tables)
  const phases = planPhases(into.manifest, tables)
  const rowBytes = phases.rows.reduce((n, p) => n + p.end - p.start, 0)
  const sessions = opts.sessions ?? defaultSessions()
  const readWhole = { ...(opts.readToEnd ? { readToEnd: true } : {}), ...(opts.tap ? { tap: opts.tap } : {}) }
  if (sessions < 2 || !phases.rows.length || (opts.sessions === undefined && rowBytes < PARALLEL_MIN_ROW_BYTES)) {
    return { ...(await replay({ ...into, pieces: whole, stage: opts.stage, ...readWhole })), sessions: 1 }
  }
  opts.log?.(`loading ${Math.round(rowBytes / 1e6)} MB of rows on ${sessions} sessions at once`)
  const structure = await replay({ ...into, pieces: phases.structure, stage: opts.stage })
  const rows = await loadRows({ ...into, parts: phases.rows, connections: sessions, chunkBytes: CHUNK_BYTES, stage: opts.stage, ...readWhole })
  const after = await replay({ ...into, pieces: phases.after, stage: opts.stage })
  return {
    bytes: replayBytes(whole),
    fileBytesRead: structure.fileBytesRead + rows.fileBytesRead + after.fileBytesRead,
    durationMs: performance.now() - started,
    ...(rows.file ? { file: rows.file } : {}),
    sessions,
  }
}
