import type { DatabaseProgress, ProgressListener } from '../../app/backup.js'
import { formatDuration } from '../../config/duration.js'
import { mb } from '../../shared/format.js'

const STAGES: Record<DatabaseProgress['stage'], string> = {
  dump: 'dumping',
  checksum: 'checksumming',
  verify: 'verifying',
  compare: 'comparing with the backup',
  restore: 'replaying',
  proof: 'proving',
}

/**
 * Time left in a stage, from its rate so far: bytes when their total is known, else tables.
 * Null while too little has happened to say (the first second, or nothing done yet).
 */
export function remainingMs(p: DatabaseProgress, elapsedMs: number): number | null {
  if (elapsedMs < 1000) return null
  const fraction = p.bytesTotal ? p.bytesDone / p.bytesTotal : p.tablesTotal ? p.tablesDone / p.tablesTotal : 0
  if (fraction <= 0) return null
  // The dump's total is the tables' size on disk, an estimate the dump text may outgrow.
  if (fraction >= 1) return 0
  return (elapsedMs * (1 - fraction)) / fraction
}

/** One line: stage, tables and bytes done, ETA, the table being worked on. */
export function progressLine(p: DatabaseProgress, elapsedMs: number): string {
  const parts = [STAGES[p.stage], `${p.tablesDone}/${p.tablesTotal} tables`]
  if (p.bytesDone || p.bytesTotal) parts.push(`${mb(p.bytesDone)}${p.bytesTotal ? ` of ${p.stage === 'dump' ? '~' : ''}${mb(p.bytesTotal)}` : ''}`)
  const left = remainingMs(p, elapsedMs)
  if (left !== null && left > 0) parts.push(`ETA ${formatDuration(left)}`)
  if (p.table) parts.push(p.table)
  return parts.join(' · ')
}

export interface ProgressReporter {
  listener: ProgressListener
  /** Clears a terminal's progress line; call before printing the result. */
  done(): void
}

/**
 * On a terminal: one line rewritten in place (at most every 100 ms). Otherwise plain lines: one when
 * a stage starts or finishes its tables, and one at most every 5 s between, enough for a CI log.
 */
export function progressReporter(stream: NodeJS.WriteStream, mode: 'tty' | 'plain', now: () => number = () => performance.now()): ProgressReporter {
  let stage = ''
  let stageStarted = 0
  let lastWrite = -Infinity
  let lastTables = -1
  let shown = false
  const listener: ProgressListener = (p) => {
    const t = now()
    const newStage = p.stage !== stage
    if (newStage) {
      stage = p.stage
      stageStarted = t
      lastTables = -1
    }
    const finishedTables = p.tablesDone === p.tablesTotal && p.tablesDone !== lastTables
    if (mode === 'tty') {
      if (!newStage && !finishedTables && t - lastWrite < 100) return
      const columns = stream.columns || 100
      stream.write(`\r\x1b[2K${progressLine(p, t - stageStarted).slice(0, columns - 1)}`)
      shown = true
    } else {
      if (!newStage && !finishedTables && t - lastWrite < 5000) return
      stream.write(`  ${progressLine(p, t - stageStarted)}\n`)
    }
    lastWrite = t
    lastTables = p.tablesDone
  }
  return {
    listener,
    done() {
      if (shown) stream.write('\r\x1b[2K')
      shown = false
    },
  }
}

/** Progress only where a person reads it: none with --json; in place on a terminal (not under CI). */
export function progressFor(stream: NodeJS.WriteStream, json: boolean | undefined): ProgressReporter | null {
  if (json) return null
  return progressReporter(stream, stream.isTTY && !process.env.CI ? 'tty' : 'plain')
}
