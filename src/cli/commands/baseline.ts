import { loadConfig, resolveEnvironment } from '../../config/load.js'
import { Redactor } from '../../config/redact.js'
import { RolloutError } from '../../shared/errors.js'
import { buildPlan } from '../../plan/build.js'
import { findStepKind, knownStepKinds } from '../../steps/registry.js'
import { shownPath } from '../render/backups.js'
import type { ResolvedEnvironment } from '../../config/types.js'
import type { VerbOptions } from './backup.js'

export interface BaselineVerbOptions extends VerbOptions {
  /** Which baseline: the TypeScript errors (default) or the schema validator's findings. */
  which?: string
  /** Id of the step, when the plan has more than one of its kind. */
  step?: string
}

const KINDS = { typescript: 'typescript-baseline', schema: 'schema-validation' } as const

/**
 * `rollout baseline update <env> [typescript|schema]`: runs the environment's type-check (or schema
 * validator) as its step would (same command, file and folder, from the plan) and rewrites the
 * baseline file with today's errors (or findings).
 */
export async function baselineUpdateCommand(o: BaselineVerbOptions): Promise<void> {
  const which = (o.which ?? 'typescript') as keyof typeof KINDS
  const kind = KINDS[which]
  if (!kind) throw new RolloutError('USAGE', `unknown baseline "${o.which}"; expected typescript or schema`)
  const loaded = await loadConfig({ cwd: process.cwd(), configPath: o.configPath })
  const { environment } = await resolveEnvironment(loaded, o.environment, new Redactor())
  const plan = buildPlan({ environmentName: o.environment, environment, configFile: loaded.file, findKind: findStepKind, knownKinds: knownStepKinds })
  const gates = plan.steps.filter((s) => s.kind === kind)
  const step = o.step ? gates.find((s) => s.id === o.step) : gates.length === 1 ? gates[0] : gates.find((s) => s.id === kind)
  if (!step) {
    const known = gates.map((s) => s.id).join(', ')
    throw new RolloutError('USAGE', o.step ? `no ${kind} step "${o.step}" in the plan for ${o.environment}` : `the plan for ${o.environment} has ${gates.length ? `several ${kind} steps (${known})` : `no ${kind} step (it is switched off)`}`, gates.length ? 'name one with --step <id>' : undefined)
  }
  if (which === 'schema') return schemaUpdate(o, loaded.root, environment, step)
  const { updateTypescriptBaseline } = await import('../../steps/preflight/typescript-baseline.js')
  const log = o.verbose && !o.json ? (line: string) => void process.stderr.write(`  ${line}\n`) : undefined
  const result = await updateTypescriptBaseline({ cwd: loaded.root, environment, options: step.options, ...(log ? { log } : {}) })
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ step: step.id, ...result }, null, 2)}\n`)
    return
  }
  const errors = `${result.count} TypeScript error${result.count === 1 ? '' : 's'}`
  process.stdout.write(`Baseline now holds ${errors} (${was(result)}) in ${shownPath(result.file, process.cwd())}${result.format === 'count' ? ' (kept as a plain count)' : ''}\n`)
  process.stdout.write('Commit it: the typescript-baseline gate compares each run with it.\n')
}

function was(r: { previous: number | null; added: number; removed: number }): string {
  return r.previous === null ? 'new file' : `was ${r.previous}: ${r.added} added, ${r.removed} removed`
}

async function schemaUpdate(o: BaselineVerbOptions, root: string, environment: ResolvedEnvironment, step: { id: string; options: Record<string, unknown> }): Promise<void> {
  const { updateSchemaBaseline } = await import('../../steps/preflight/schema-validation.js')
  const result = await updateSchemaBaseline({ cwd: root, environment, options: step.options })
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ step: step.id, ...result }, null, 2)}\n`)
    return
  }
  process.stdout.write(`Baseline now holds ${result.count} schema finding${result.count === 1 ? '' : 's'} (${was(result)}) in ${shownPath(result.file, process.cwd())}\n`)
  process.stdout.write('Commit it: the schema-validation gate fails only on findings it does not hold.\n')
}
