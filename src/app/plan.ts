import { onlyPhases } from '../engine/run.js'
import type { Phase } from '../plan/phases.js'
import type { Plan } from '../plan/types.js'
import { planEnvironment, type EnvironmentInput } from './environment.js'

/** The plan `run` would execute, and the address it would deploy to. */
export interface RolloutPlan extends Plan {
  url: string
}

/** `rollout plan <env>`: exactly what `run` would execute, every step checked by its kind; runs nothing. */
export async function planRollout(input: EnvironmentInput & { phases?: Phase[] }): Promise<RolloutPlan> {
  const planned = await planEnvironment(input)
  const plan = input.phases ? onlyPhases(planned.plan, input.phases) : planned.plan
  return { ...plan, url: planned.environment.url }
}
