import { RolloutError } from '../shared/errors.js'
import { planEnvironment, type EnvironmentInput } from './environment.js'

const KINDS = { typescript: 'typescript-baseline', schema: 'schema-validation' } as const
export type BaselineName = keyof typeof KINDS

export interface BaselineInput extends EnvironmentInput {
  /** Which baseline: the TypeScript errors (default) or the schema validator's findings. */
  which?: string
  /** Id of the step, when the plan has more than one of its kind. */
  step?: string
  /** The command's output lines, as they come. */
  onLog?: (line: string) => void
  signal?: AbortSignal
}

export interface BaselineResult {
  which: BaselineName
  /** The step whose command and file were used. */
  step: string
  file: string
  count: number
  /** The count the file held before; null when it is new. */
  previous: number | null
  added: number
  removed: number
  /** 'count' when the existing file held a plain number (kept that way for scripts reading it). */
  format?: 'errors' | 'count'
}

/**
 * `rollout baseline update <env> [typescript|schema]`: runs the environment's type-check (or schema
 * validator) as its step would (same command, file and folder, from the plan) and rewrites the
 * baseline file with today's errors (or findings).
 */
export async function updateBaseline(input: BaselineInput): Promise<BaselineResult> {
  const which = (input.which ?? 'typescript') as BaselineName
  const kind = KINDS[which]
  if (!kind) throw new RolloutError('USAGE', `unknown baseline "${input.which}"; expected typescript or schema`)
  const planned = await planEnvironment(input)
  const gates = planned.plan.steps.filter((s) => s.kind === kind)
  const step = input.step ? gates.find((s) => s.id === input.step) : gates.length === 1 ? gates[0] : gates.find((s) => s.id === kind)
  if (!step) {
    const known = gates.map((s) => s.id).join(', ')
    throw new RolloutError('USAGE', input.step ? `no ${kind} step "${input.step}" in the plan for ${input.environment}` : `the plan for ${input.environment} has ${gates.length ? `several ${kind} steps (${known})` : `no ${kind} step (it is switched off)`}`, gates.length ? 'name one with --step <id>' : undefined)
  }
  const common = { cwd: planned.root, environment: planned.environment, options: step.options, env: planned.env, ...(input.signal ? { signal: input.signal } : {}) }
  if (which === 'schema') {
    const { updateSchemaBaseline } = await import('../steps/preflight/schema-validation.js')
    return { which, step: step.id, ...(await updateSchemaBaseline(common)) }
  }
  const { updateTypescriptBaseline } = await import('../steps/preflight/typescript-baseline.js')
  const onLog = input.onLog
  return { which, step: step.id, ...(await updateTypescriptBaseline({ ...common, ...(onLog ? { log: (line: string) => onLog(planned.redactor.redact(line)) } : {}) })) }
}
