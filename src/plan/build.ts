import path from 'node:path'
import type { StepKinds } from '../engine/step-kind.js'
import type { ResolvedEnvironment } from '../config/types.js'
import { ConfigError } from '../shared/errors.js'
import { formatIssues } from '../config/issues.js'
import { PHASES } from './phases.js'
import type { Plan, PlannedStep, StepSpec } from './types.js'
import { RENAMED_STEPS, ROLLBACK_PROOF_PHASES, defaultPlan } from './default-plan.js'

export interface PlanInputs {
  environmentName: string
  environment: ResolvedEnvironment
  /** Where the environment came from, for error messages. */
  configFile: string
  kinds: StepKinds
}

/**
 * The plan `run` executes and `plan` prints: the default plan, the environment's overrides by step
 * id, its added steps, each step's options checked by its kind. Errors name the exact key.
 */
export function buildPlan(inputs: PlanInputs): Plan {
  const { environmentName: name, environment: env, configFile } = inputs
  const keyOf = (...parts: (string | number)[]) => ['environments', name, ...parts].map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[')
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${configFile}: ${key}: ${message}`)
  }

  const defaultSpecs = env.defaults ? defaultPlan(env) : []
  const specs = new Map<string, StepSpec & { key: string }>()
  for (const spec of defaultSpecs) specs.set(spec.id, { ...spec, key: keyOf('steps', spec.id) })

  for (const [id, override] of Object.entries(env.steps)) {
    const spec = specs.get(id)
    if (!spec && RENAMED_STEPS[id]) fail(keyOf('steps', id), `this step is now called "${RENAMED_STEPS[id]}"`)
    if (!spec) fail(keyOf('steps', id), `no step "${id}" in the default plan (its steps: ${[...specs.keys()].join(', ')}); add new steps under ${keyOf('add')}`)
    if (override === false) {
      specs.delete(id)
      continue
    }
    const { timeout, options, ...rest } = override
    specs.set(id, {
      ...spec!,
      ...stripUndefined(rest),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      options: { ...spec!.options, ...options },
    })
  }

  env.add.forEach((extra, index) => {
    if (specs.has(extra.id)) fail(keyOf('add', index, 'id'), `a step "${extra.id}" already exists; pick another id or change it under ${keyOf('steps', extra.id)}`)
    specs.set(extra.id, {
      id: extra.id,
      phase: extra.phase,
      kind: extra.kind,
      title: extra.title ?? extra.id,
      gate: extra.gate ?? 'blocking',
      timeoutMs: extra.timeout ?? 10 * 60_000,
      retries: extra.retries ?? 0,
      after: extra.after ?? [],
      ...(extra.changesEnvironment !== undefined ? { changesEnvironment: extra.changesEnvironment } : {}),
      options: extra.options ?? {},
      key: keyOf('add', index),
    })
  })

  // The default plan's own ordering names default steps; one switched off is simply not waited for.
  // An `after` the config wrote itself is checked below, and a missing step there is an error.
  const defaults = new Set(defaultSpecs.map((d) => d.id))
  for (const spec of specs.values()) {
    const written = env.steps[spec.id] && (env.steps[spec.id] as { after?: unknown }).after !== undefined
    if (defaults.has(spec.id) && !written) spec.after = spec.after.filter((id) => specs.has(id))
  }

  const ordered = PHASES.flatMap((phase) => [...specs.values()].filter((s) => s.phase === phase))
  const steps: PlannedStep[] = ordered.map(({ key, ...spec }) => {
    const kind = inputs.kinds.find(spec.kind)
    if (!kind) return fail(`${key}.kind`, `unknown step kind "${spec.kind}" (known kinds: ${inputs.kinds.names().join(', ')})`)
    let options = spec.options
    if (kind.options) {
      const parsed = kind.options.safeParse(spec.options, { reportInput: true })
      if (!parsed.success) fail(`${key}.options`, formatIssues(parsed.error.issues, [], kind.options))
      options = parsed.data as Record<string, unknown>
    }
    if (kind.checkSettings) {
      try {
        kind.checkSettings({ options, environment: env, environmentName: name, cwd: path.dirname(configFile) })
      } catch (error) {
        // Settings readers name the section's key themselves (environments.<env>.logs.pattern).
        throw new ConfigError(`${configFile}: ${(error as Error).message} (read by step ${key})`, undefined, { cause: error })
      }
    }
    const undoable = kind.undo !== undefined && (kind.canUndo ? kind.canUndo(options) : true)
    return { ...spec, options, changesEnvironment: spec.changesEnvironment ?? kind.changesEnvironment ?? false, undoable }
  })

  checkOrder(steps, (id) => specs.get(id)!.key, fail)
  return { environment: name, steps, pointOfNoReturn: pointOfNoReturn(steps), rollbackProofPhases: ROLLBACK_PROOF_PHASES }
}

/** The first step that changes the environment: from there on a failure means a rollback. */
export function pointOfNoReturn(steps: PlannedStep[]): string | null {
  return steps.find((s) => s.changesEnvironment)?.id ?? null
}

/** `after` must name steps of the same phase, without cycles. */
function checkOrder(steps: PlannedStep[], keyOf: (id: string) => string, fail: (key: string, message: string) => never): void {
  const byId = new Map(steps.map((s) => [s.id, s]))
  for (const step of steps) {
    for (const dep of step.after) {
      const other = byId.get(dep)
      if (!other) fail(`${keyOf(step.id)}.after`, `no step "${dep}" in the plan${RENAMED_STEPS[dep] ? `; this step is now called "${RENAMED_STEPS[dep]}"` : ''}`)
      else if (other.phase !== step.phase) fail(`${keyOf(step.id)}.after`, `"${dep}" is in phase ${other.phase}, not ${step.phase}; phases already run in order`)
    }
  }
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return
    if (state.get(id) === 'visiting') fail(`${keyOf(id)}.after`, `steps wait for each other in a cycle: ${[...path, id].join(' → ')}`)
    state.set(id, 'visiting')
    for (const dep of byId.get(id)?.after ?? []) visit(dep, [...path, id])
    state.set(id, 'done')
  }
  for (const step of steps) visit(step.id, [])
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
