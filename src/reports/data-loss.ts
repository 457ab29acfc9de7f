import { formatDuration } from '../config/duration.js'
import type { RunRecord, StepRecord } from '../engine/store.js'
import { code, when } from './incident-format.js'

interface RestoreData {
  backupId?: string
  mode?: string
  replayed?: string[]
  reverted?: string[]
  dropped?: string[]
  unchanged?: number
}

interface UndoData {
  restored?: boolean
  reason?: string
  restore?: RestoreData
  finishedAt?: string
}

/**
 * The data-loss window of a run whose migration was undone: from the backup's snapshot (the start
 * of the backup step: the dump reads one consistent snapshot from its first statement) to the
 * restore, and which tables the restore replaced. Writes in that window to those tables are gone.
 * Built from the migrate step's undo data and the backup step's data. Pure; empty when the run
 * migrated nothing.
 */
export function dataLossSection(run: RunRecord, steps: readonly StepRecord[]): string[] {
  const kindOf = new Map(run.plan.steps.map((s) => [s.id, s.kind]))
  const runSteps = steps.filter((s) => s.pass === 'run')
  const migrations = runSteps.filter((s) => kindOf.get(s.stepId) === 'migrate' && s.status !== 'skipped' && s.status !== 'pending')
  if (!migrations.length) return []
  const backup = runSteps.find((s) => kindOf.get(s.stepId) === 'backup' && typeof s.data.id === 'string')
  const backupId = backup ? String(backup.data.id) : null
  const snapshotAt = backup?.startedAt ?? null
  const restorePoint = backupId ? `backup ${code(backupId)}, its snapshot taken at ${when(snapshotAt)} (step ${code(backup!.stepId)})` : 'no backup was taken in this run'

  const lines = ['## Data-loss window', '']
  for (const m of migrations) {
    const undo = (m.data.undo ?? {}) as UndoData
    if (m.undoStatus === 'rolled-back' && undo.restored === true) {
      const r = undo.restore ?? {}
      const differed = [...tagged(r.replayed, 'replayed'), ...tagged(r.reverted, 'reverted by ALTER TABLE'), ...tagged(r.dropped, 'dropped: not in the backup')]
      const restoredAt = undo.finishedAt ?? null
      const span = snapshotAt && restoredAt ? ` (${formatDuration(Date.parse(restoredAt) - Date.parse(snapshotAt))})` : ''
      lines.push(
        `- **Restore point:** ${restorePoint}`,
        `- **Restored at:** ${when(restoredAt)}, by the undo of ${code(m.stepId)} (${r.mode ?? 'restore'}, took ${m.undoDurationMs === null ? '?' : formatDuration(m.undoDurationMs)})`,
        `- **Window:** ${when(snapshotAt)} → ${when(restoredAt)}${span}: whatever was written in it to the tables below was replaced by the backup's rows, and is lost unless it is recovered from elsewhere (application logs, the other side of an integration).`,
        `- **Tables that differed from the backup:** ${differed.length ? differed.join(', ') : 'none'}`,
      )
      if (typeof r.unchanged === 'number') lines.push(`- **Unchanged:** ${r.unchanged} other table${r.unchanged === 1 ? '' : 's'} equalled the backup and kept every row`)
    } else if (m.undoStatus === 'rolled-back') {
      lines.push(`- No restore by ${code(m.stepId)}'s undo: ${undo.reason ?? m.undoSummary ?? 'not needed'}. The database kept its rows: no data was lost.`)
    } else if (m.undoStatus === 'rollback-failed' || m.undoStatus === 'rolling-back') {
      lines.push(
        `- **The database was NOT restored** (${code(m.stepId)}: ${m.undoSummary ?? 'the undo stopped'}).`,
        `- **Restore point:** ${restorePoint}. Restoring it loses what was written since then to the tables that differ from it.`,
      )
    } else {
      lines.push(`- ${code(m.stepId)} was not undone: the database keeps the migration${run.crossedAt ? '' : ' (the run stopped before changing anything)'}. Restore point if one is needed: ${restorePoint}.`)
    }
    const diff = Array.isArray(m.data.diff) ? (m.data.diff as string[]) : []
    if (diff.length) lines.push(`- **What the migration changed:** ${diff.slice(0, 10).map(code).join(', ')}${diff.length > 10 ? `, and ${diff.length - 10} more` : ''}`)
  }
  lines.push('')
  return lines
}

function tagged(tables: readonly string[] | undefined, how: string): string[] {
  return (tables ?? []).map((t) => `${code(t)} (${how})`)
}
