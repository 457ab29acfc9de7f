import path from 'node:path'
import type { RunResult } from '../../app/runs.js'

export interface DemoOutcome {
  dir: string
  url: string
  first: RunResult & { served: string }
  second: RunResult & { served: string }
  /** How the migration of run 2 was undone, from the record: the restore and its proof. */
  restore: { status: string | null; summary: string | null }
  /** Tables whose checksum after the rolled-back run differs from before it. */
  tablesDiffering: string[]
  /** Rows gained from before run 2 to its end, in the tables an order is written to. */
  rowChanges: Record<string, number>
  schemaBack: boolean
  tableCount: number
  incidentNamesSmoke: boolean
  kept: boolean
  /** The dashboard's address over the kept demo (or why it did not start). */
  dashboard?: string
  /** What the sandbox's webhook (events) and mail server (subjects) received, in order. */
  notifications: { webhook: string[]; mail: string[] }
}

/**
 * The tables the create-order smoke flow writes to. The smoke test that proves the rollback creates
 * one order on the restored v2, so after run 2 these differ from before it by exactly that order.
 */
export const SMOKE_ORDER_TABLES = ['orders', 'order_lines', 'products']

/** The database after run 2 is its state before run 2 plus the one order the proving smoke test made. */
function onlyTheSmokeOrder(o: DemoOutcome): boolean {
  return o.schemaBack && o.tablesDiffering.every((t) => SMOKE_ORDER_TABLES.includes(t)) && o.rowChanges.orders === 1
}

function afterRestoreText(o: DemoOutcome): string {
  if (!o.schemaBack) return 'the schema differs from before run 2'
  if (!o.tablesDiffering.length) return `the database equals its state before run 2 (schema and ${o.tableCount} table checksums)`
  const rows = Object.entries(o.rowChanges).filter(([, n]) => n).map(([t, n]) => `${t} ${n > 0 ? '+' : ''}${n}`).join(', ')
  return onlyTheSmokeOrder(o)
    ? `since the restore, only the order made by the smoke test that proved the rollback changed the data (${rows} rows; ${o.tablesDiffering.join(', ')})`
    : `the database differs from before run 2 in ${o.tablesDiffering.join(', ')} (${rows || 'same row counts'})`
}

/** What the demo promises, each as a line a reader can check. */
export function demoChecks(o: DemoOutcome): { ok: boolean; text: string }[] {
  return [
    { ok: o.first.status === 'passed', text: `run 1 (v1 → v2) ${o.first.status}` },
    { ok: o.first.served === 'v2', text: `after run 1 the site serves ${o.first.served}` },
    { ok: o.second.status === 'rolled-back', text: `run 2 (v2 → v3-broken) ${o.second.status}` },
    { ok: o.second.served === 'v2', text: `after run 2 the site serves ${o.second.served} again` },
    {
      ok: o.restore.status === 'rolled-back' && /every table's checksum equals the backup's/.test(o.restore.summary ?? ''),
      text: o.restore.status === 'rolled-back'
        ? `the database was restored from the backup taken before run 2's migration: ${o.restore.summary}`
        : `the database was not restored (migrate undo: ${o.restore.status ?? 'none'}: ${o.restore.summary ?? ''})`,
    },
    { ok: o.tablesDiffering.length === 0 ? o.schemaBack : onlyTheSmokeOrder(o), text: afterRestoreText(o) },
    { ok: Boolean(o.second.incidentReport) && o.incidentNamesSmoke, text: `incident report ${o.second.incidentReport ? 'written, naming the failed smoke test' : 'missing'}` },
    {
      ok: ['start', 'success', 'rollback'].every((e) => o.notifications.webhook.includes(e)) && o.notifications.mail.length === o.notifications.webhook.length,
      text: `the team was told: webhook got ${o.notifications.webhook.join(', ') || 'nothing'}; ${o.notifications.mail.length} mails`,
    },
  ]
}

export function demoPassed(o: DemoOutcome): boolean {
  return demoChecks(o).every((c) => c.ok)
}

export function verdictLines(o: DemoOutcome): string[] {
  const rel = (p: string) => path.relative(process.cwd(), p) || '.'
  const lines = ['', `Demo ${demoPassed(o) ? 'done: both runs ended as expected' : 'did NOT go as expected'}`]
  for (const c of demoChecks(o)) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.text}`)
  lines.push('', `Record and evidence: ${rel(path.join(o.dir, '.rollout'))} (rollout status / history staging, from ${rel(o.dir)})`)
  if (o.second.incidentReport) lines.push(`Incident report:     ${rel(o.second.incidentReport)} (and incident.html)`)
  lines.push(`Backups:             ${rel(path.join(o.dir, 'backups'))}`)
  lines.push(`Notifications:       ${rel(path.join(o.dir, 'inbox'))} (what the webhook and mail stand-ins received)`)
  const shows = '(both runs, the failing page\'s screenshot, the rollback\'s proof, the backups)'
  lines.push(o.dashboard ? `Dashboard:           ${o.dashboard} ${shows}` : `Dashboard:           (cd ${rel(o.dir)} && rollout serve), then open http://127.0.0.1:4680/ ${shows}`)
  lines.push(
    o.kept
      ? `The sandbox is still running at ${o.url}. Stop it${o.dashboard?.startsWith('http') ? ' and the dashboard' : ''} with: rollout demo --stop`
      : 'The sandbox was stopped (rollout demo --keep leaves it running).',
  )
  return lines
}
