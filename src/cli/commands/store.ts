import { importRecord, migrateStore, storeStatus } from '../../app/shared-store.js'
import type { StoreReport } from '../../app/shared-store.js'
import { sourceOf } from './verb.js'

interface StoreOptions {
  configPath?: string
  json?: boolean
}

function renderReport(report: StoreReport): string {
  const lines = [`store: ${report.store}`]
  if (report.applied) lines.push(report.applied.length ? `applied: version ${report.applied.join(', ')}` : 'applied: nothing (already up to date)')
  lines.push(`tables: version ${report.version} of ${report.latest}${report.version < report.latest ? ' (run `rollout store migrate`)' : ''}`)
  return lines.join('\n')
}

/** `rollout store status` and `rollout store migrate`: what the shared store holds, and bringing it up to date. */
export async function storeReportCommand(o: StoreOptions & { migrate: boolean }): Promise<number> {
  const report = await (o.migrate ? migrateStore : storeStatus)(sourceOf(o))
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`)
  return !o.migrate && report.version < report.latest ? 1 : 0
}

/** `rollout store import [--from DIR]`: the local record's runs copied into the shared store. */
export async function storeImportCommand(o: StoreOptions & { from?: string }): Promise<void> {
  const result = await importRecord({
    ...sourceOf(o),
    ...(o.from ? { from: o.from } : {}),
    onRun: o.json ? undefined : (id, copied) => process.stderr.write(`  ${copied ? 'copied' : 'already there'}: ${id}\n`),
  })
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  else {
    const evidence = result.evidence ? `; the evidence of ${result.evidence.runs} run(s) copied to ${result.evidence.to}` : ''
    process.stdout.write(`imported ${result.imported.length} run(s) from ${result.from} into ${result.to}; ${result.present.length} already there${evidence}\n`)
  }
}
