import type { RestoreReport, ReplayReason } from '../../app/restore.js'
import { formatDuration } from '../../config/duration.js'
import { mb } from '../../shared/format.js'
import type { Style } from './style.js'

const WHY: Record<ReplayReason, string> = {
  missing: 'missing',
  definition: 'definition differs',
  checksum: 'data differs',
  'no checksum': 'no checksum in the backup',
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** What a restore did, table by table, and the proof that the database equals the backup. */
export function renderRestoreReport(r: RestoreReport, style: Style): string {
  const t = r.tables
  const lines = [`${style.green('✓')} Restored ${style.bold(r.backupId)} into ${r.database} (${r.performed}), proven`]
  for (const warning of r.warnings) lines.push(`  ${style.yellow('warning')}    ${warning}`)
  if (r.fallback) lines.push(`  note       fell back to a full restore: ${r.fallback}`)
  const replayed = r.performed === 'full' ? `all ${t.replayed.length} tables` : t.replayed.map((n) => `${n} (${WHY[r.reasons[n] ?? 'checksum']})`).join(', ')
  lines.push(`  replayed   ${replayed || 'none'}${r.sessions > 1 ? `; rows loaded on ${r.sessions} sessions at once` : ''}`)
  if (r.indexesAfterRows?.length) lines.push(`  indexes    of ${r.indexesAfterRows.join(', ')}: built after the rows`)
  if (t.reverted.length) lines.push(`  reverted   ${t.reverted.join(', ')} (what a migration added was dropped with ALTER TABLE)`)
  if (t.dropped.length) lines.push(`  dropped    ${t.dropped.join(', ')} (not in the backup)`)
  if (r.performed === 'differential') lines.push(`  unchanged  ${plural(t.unchanged.length, 'table')}`)
  if (r.performed === 'differential' && r.changes) {
    lines.push(`  changes    ${r.changes.source === 'binlog' ? `found in the binary log: the tables written since the backup (${r.changes.events} events read)` : `found by a checksum of every table (${r.changes.reason})`}`)
  }
  const count = (checked: string) => r.proof.tables.filter((p) => p.checked === checked).length
  const [after, before, unwritten] = [count('after'), count('before'), count('unwritten')]
  const o = r.proof.objects.actual
  const checksummed = `${after} checked after the replay${before ? `, ${before} just before it` : ''}`
  const tables = unwritten
    ? `the checksums of ${plural(after + before, 'table')} equal the backup's (${checksummed}); the binary log shows no write to ${plural(unwritten, 'table')} since the backup`
    : `every table's checksum equals the backup's: ${plural(r.proof.tables.length, 'table')} (${checksummed})`
  lines.push(`  proof      ${tables}; ${plural(o.views, 'view')}, ${plural(o.triggers, 'trigger')}, ${plural(o.routines, 'routine')}, ${plural(o.events, 'event')} as in the backup`)
  if (r.definersStripped) lines.push('  note       DEFINER clauses were left out: this account may not set other definers')
  const tm = r.timings
  lines.push(`  duration   ${formatDuration(tm.totalMs)} (check ${formatDuration(tm.checkMs)}, compare ${formatDuration(tm.compareMs)}, replay ${formatDuration(tm.replayMs)}, proof ${formatDuration(tm.proofMs)}); ${mb(r.bytesReplayed)} of the ${mb(r.dumpBytes)} dump replayed (${mb(r.fileBytesRead)} of the backup file read for it)`)
  return lines.join('\n')
}
