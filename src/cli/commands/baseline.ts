import { updateBaseline, type BaselineResult } from '../../app/baseline.js'
import { shownPath } from '../render/backups.js'
import { sourceOf, verboseLog, type VerbOptions } from './verb.js'

export interface BaselineVerbOptions extends VerbOptions {
  which?: string
  step?: string
}

/** `rollout baseline update <env> [typescript|schema]`: rewrites the baseline file and says what changed. */
export async function baselineUpdateCommand(o: BaselineVerbOptions): Promise<void> {
  const log = verboseLog(o)
  const result = await updateBaseline({ ...sourceOf(o), environment: o.environment, ...(o.which ? { which: o.which } : {}), ...(o.step ? { step: o.step } : {}), ...(log ? { onLog: log } : {}) })
  const { which: _which, ...shown } = result
  if (o.json) {
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
    return
  }
  process.stdout.write(`${describe(result)}\n`)
}

function describe(r: BaselineResult): string {
  const was = r.previous === null ? 'new file' : `was ${r.previous}: ${r.added} added, ${r.removed} removed`
  if (r.which === 'schema') {
    return `Baseline now holds ${r.count} schema finding${r.count === 1 ? '' : 's'} (${was}) in ${shownPath(r.file, process.cwd())}\nCommit it: the schema-validation gate fails only on findings it does not hold.`
  }
  const errors = `${r.count} TypeScript error${r.count === 1 ? '' : 's'}`
  return `Baseline now holds ${errors} (${was}) in ${shownPath(r.file, process.cwd())}${r.format === 'count' ? ' (kept as a plain count)' : ''}\nCommit it: the typescript-baseline gate compares each run with it.`
}
