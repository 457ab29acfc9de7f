import { loadConfig, resolveEnvironment } from '../../config/load.js'
import { Redactor } from '../../config/redact.js'
import { RolloutError } from '../../engine/errors.js'
import { buildPlan } from '../../plan/build.js'
import { findStepKind, knownStepKinds } from '../../steps/registry.js'
import { shownPath } from '../render/backups.js'
import type { VerbOptions } from './backup.js'

export interface BaselineVerbOptions extends VerbOptions {
  /** Id of the typescript-baseline step, when the plan has more than one. */
  step?: string
}

/**
 * `rollout baseline update <env>`: runs the environment's type-check as its typescript-baseline
 * step would (same command, file and folder, from the plan) and rewrites the baseline file with
 * today's errors.
 */
export async function baselineUpdateCommand(o: BaselineVerbOptions): Promise<void> {
  const loaded = await loadConfig({ cwd: process.cwd(), configPath: o.configPath })
  const { environment } = await resolveEnvironment(loaded, o.environment, new Redactor())
  const plan = buildPlan({ environmentName: o.environment, environment, configFile: loaded.file, findKind: findStepKind, knownKinds: knownStepKinds })
  const gates = plan.steps.filter((s) => s.kind === 'typescript-baseline')
  const step = o.step ? gates.find((s) => s.id === o.step) : gates.length === 1 ? gates[0] : gates.find((s) => s.id === 'typescript-baseline')
  if (!step) {
    const known = gates.map((s) => s.id).join(', ')
    throw new RolloutError('USAGE', o.step ? `no typescript-baseline step "${o.step}" in the plan for ${o.environment}` : `the plan for ${o.environment} has ${gates.length ? `several typescript-baseline steps (${known})` : 'no typescript-baseline step (it is switched off)'}`, gates.length ? 'name one with --step <id>' : undefined)
  }
  const { updateTypescriptBaseline } = await import('../../steps/preflight/typescript-baseline.js')
  const log = o.verbose && !o.json ? (line: string) => void process.stderr.write(`  ${line}\n`) : undefined
  const result = await updateTypescriptBaseline({ cwd: loaded.root, environment, options: step.options, ...(log ? { log } : {}) })
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ step: step.id, ...result }, null, 2)}\n`)
    return
  }
  const was = result.previous === null ? 'new file' : `was ${result.previous}: ${result.added} added, ${result.removed} removed`
  const errors = `${result.count} TypeScript error${result.count === 1 ? '' : 's'}`
  process.stdout.write(`Baseline now holds ${errors} (${was}) in ${shownPath(result.file, process.cwd())}${result.format === 'count' ? ' (kept as a plain count)' : ''}\n`)
  process.stdout.write('Commit it: the typescript-baseline gate compares each run with it.\n')
}
