/**
 * The public API of rollout: what a config file and a program embedding it may use. Every
 * operation takes a config source (a file, or a config object) and returns typed results; none
 * prints or exits. The CLI is one front end over the same operations.
 */
import type { z } from 'zod'
import type { configSchema } from './config/schema.js'
import type { ConfigString } from './config/markers.js'
import type { StepKind } from './engine/step-kind.js'

export { env, secret } from './config/markers.js'
export type { EnvRef, SecretRef } from './config/markers.js'
export type { ResolvedConfig, ResolvedEnvironment } from './config/types.js'
export type { Plan, PlannedStep, StepSpec } from './plan/types.js'
export { defineStepKind } from './engine/step-kind.js'
export type { StepKind, StepKinds, StepContext, StepOutcome, UndoContext, Inspection, EvidenceRef } from './engine/step-kind.js'
export type { RolloutEvent, RunStatus } from './engine/events.js'
export { RolloutError, ConfigError, LockedError } from './shared/errors.js'
export * from './app/index.js'

/** Config as written: any string may be an env() or secret() marker, durations may be '30m'. */
type Written<T> = T extends string ? ConfigString | T : T extends (infer U)[] ? Written<U>[] : T extends object ? { [K in keyof T]: Written<T[K]> } : T
export type RolloutConfig = Written<Omit<z.input<typeof configSchema>, 'kinds'>> & {
  /** Step kinds of your own (made with defineStepKind), used by name by steps under an environment's `add`. */
  kinds?: StepKind<any>[]
}

/** Typed identity: gives a config file completion and checking. */
export function defineConfig(config: RolloutConfig): RolloutConfig {
  return config
}
