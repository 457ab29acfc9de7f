/** The public API of rollout: what a config file and a program embedding it may use. */
import type { z } from 'zod'
import type { configSchema } from './config/schema.js'
import type { ConfigString } from './config/markers.js'

export { env, secret } from './config/markers.js'
export type { EnvRef, SecretRef } from './config/markers.js'
export type { ResolvedConfig, ResolvedEnvironment } from './config/types.js'
export type { Plan, PlannedStep, StepSpec } from './plan/types.js'
export type { StepKind, StepContext, StepOutcome } from './engine/step-kind.js'
export type { RolloutEvent } from './engine/events.js'
export { RolloutError, ConfigError, LockedError } from './shared/errors.js'
export { runRollout, type RunOptions, type RunResult } from './engine/api.js'

/** Config as written: any string may be an env() or secret() marker, durations may be '30m'. */
type Written<T> = T extends string ? ConfigString | T : T extends (infer U)[] ? Written<U>[] : T extends object ? { [K in keyof T]: Written<T[K]> } : T
export type RolloutConfig = Written<z.input<typeof configSchema>>

/** Typed identity: gives a config file completion and checking. */
export function defineConfig(config: RolloutConfig): RolloutConfig {
  return config
}
