import { loadConfig, loadConfigObject, type LoadedConfig } from '../config/load.js'
import type { StepKind } from '../engine/step-kind.js'

/**
 * Where an operation finds its config: a file (the `--config` path, or rollout.config.* in `cwd`)
 * or an object a program passes. Every operation of the library takes one.
 */
export interface ConfigSource {
  /** The folder to look for the config file in, and the default of the config's folder. Default: the current folder. */
  cwd?: string
  /** The config file; default rollout.config.ts (or .mts, .js, .mjs) in `cwd`. */
  configPath?: string
  /** The config itself, instead of a file. Relative paths start at `cwd`. */
  config?: unknown
  /** The process environment the config's env() markers and the steps read. Default: process.env. */
  env?: NodeJS.ProcessEnv
  /** Step kinds of the program's own, besides the config's `kinds`. */
  kinds?: StepKind<any>[]
}

export function loadSource(source: ConfigSource): Promise<LoadedConfig> {
  const cwd = source.cwd ?? process.cwd()
  if (source.config !== undefined) return loadConfigObject(source.config, { cwd, ...(source.env ? { env: source.env } : {}) })
  return loadConfig({ cwd, ...(source.configPath ? { configPath: source.configPath } : {}), ...(source.env ? { env: source.env } : {}) })
}
