import path from 'node:path'
import { formatDuration } from '../../config/duration.js'
import { age, mb, verificationDetail } from '../../shared/format.js'
import type { Style } from './style.js'
import type { BackupResult } from '../../app/backup.js'
import type { BackupEntry } from '../../app/backups.js'

/** A path as the user typed from here: relative when it is below the current folder. */
export function shownPath(file: string, cwd: string): string {
  // An address in object storage (s3://bucket/key) is shown whole.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file
  const relative = path.relative(cwd, file)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file
}

export function renderBackupResult(r: BackupResult, cwd: string, style: Style): string {
  const v = r.verification
  const lines = [
    `${v.ok ? style.green('✓') : style.red('✗')} ${style.bold(r.id)} of ${r.database}`,
    `  path      ${shownPath(r.path, cwd)}${r.encrypted ? ' (encrypted)' : ''}`,
    `  size      ${mb(r.sizeBytes)} (${mb(r.dumpBytes)} dump)`,
    `  tables    ${r.tables} (${r.rows} row${r.rows === 1 ? '' : 's'})`,
    `  duration  ${formatDuration(r.durationMs)}`,
    v.ok
      ? `  verified  ${v.level}: ${verificationDetail(v, r.tables)} (${formatDuration(v.durationMs)})`
      : `  verified  ${style.red(`FAILED ${v.level}`)}: ${v.problems.join('; ')}`,
  ]
  for (const name of r.swept) lines.push(`  swept     ${name} (left by a backup that was stopped)`)
  if (r.retention) lines.push(`  retention ${r.retention.policy}: ${r.retention.deleted.length ? `deleted ${r.retention.deleted.join(', ')}` : 'nothing to delete'}`)
  if (!v.ok) lines.push('', `The backup is marked invalid and is never offered for restore.`)
  return lines.join('\n')
}

function verifiedColumn(b: BackupEntry): string {
  if (b.status === 'verified') return b.verified ?? 'yes'
  return b.status === 'invalid' ? 'INVALID' : 'no'
}

/** The catalog, newest first; the newest verified backup (what retention always keeps) is marked. */
export function renderCatalog(entries: BackupEntry[], dir: string, cwd: string, style: Style): string {
  if (!entries.length) return `No backups in ${shownPath(dir, cwd)} yet.`
  const newestVerified = entries.find((b) => b.status === 'verified')?.id
  const idWidth = Math.max(2, ...entries.map((b) => b.id.length))
  const header = style.bold(`  ${'id'.padEnd(idWidth)}  ${'time (UTC)'.padEnd(19)}  ${'size'.padStart(9)}  ${'verified'.padEnd(8)}  ${'age'.padEnd(12)}  database`)
  const rows = entries.map((b) => {
    const mark = b.id === newestVerified ? style.green('*') : ' '
    const verified = verifiedColumn(b).padEnd(8)
    const row = `${mark} ${b.id.padEnd(idWidth)}  ${b.createdAt.slice(0, 19).replace('T', ' ')}  ${mb(b.sizeBytes).padStart(9)}  ${b.status === 'invalid' ? style.red(verified) : verified}  ${age(b.ageMs).padEnd(12)}  ${b.database || '?'}`
    return b.status === 'invalid' && b.problems.length ? `${row}\n${style.dim(`    ${b.problems[0]}`)}` : row
  })
  const footer = newestVerified ? style.dim(`* newest verified: what \`restore … latest\` uses and retention always keeps`) : style.dim('no verified backup yet')
  return [`Backups in ${shownPath(dir, cwd)}:`, header, ...rows, footer].join('\n')
}
