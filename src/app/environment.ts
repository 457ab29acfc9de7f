import path from 'node:path'
import { resolveEnvironment, resolveGlobals } from '../config/load.js'
import type { StoreLocation } from '../adapters/store/location.js'
import { Redactor } from '../config/redact.js'
import type { ResolvedConfig, ResolvedEnvironment } from '../config/types.js'
import { buildPlan } from '../plan/build.js'
import type { Plan } from '../plan/types.js'
import type { StepKinds } from '../engine/step-kind.js'
import type { RunSetup } from '../engine/run.js'
import { loadSource, type ConfigSource } from './config-source.js'
import { stepKinds } from './kinds.js'
import { STORAGE_SECRETS, withStorageSettings } from '../adapters/storage/settings.js'

/** One environment of the config: loaded, resolved and its kinds checked, once. */
export interface OpenEnvironment extends Omit<RunSetup, 'plan'> {
  /** The config's folder: relative paths and commands start here. */
  root: string
  kinds: StepKinds
  env: NodeJS.ProcessEnv
  /** Where the run record and the lock live. */
  store: StoreLocation
}

export interface EnvironmentInput extends ConfigSource {
  environment: string
}

/** An environment with its plan: what runs, resumes and rollbacks execute. */
export interface PlannedEnvironment extends OpenEnvironment {
  plan: Plan
}

/**
 * Everything an operation on one environment needs, checked before anything runs: the config
 * (markers resolved, secrets registered with the redactor) and the step kinds. Verbs that work on
 * the database or the files alone (backup, restore, backups) stop here: a plan they do not run
 * need not be complete.
 */
export async function openEnvironment(input: EnvironmentInput): Promise<OpenEnvironment> {
  const loaded = await loadSource(input)
  const redactor = new Redactor()
  const { config, environment } = await resolveEnvironment(loaded, input.environment, redactor)
  const kinds = stepKinds([...config.kinds, ...(input.kinds ?? [])], loaded.file)
  const { store } = resolveGlobals(loaded, redactor)
  const env = withStorageSettings(input.env ?? process.env, config.storage)
  // Object storage's credentials, hidden like the config's secrets from whatever a step prints.
  for (const name of STORAGE_SECRETS) redactor.add(env[name])
  return {
    store,
    config: config as ResolvedConfig, environmentName: input.environment, environment: environment as ResolvedEnvironment, redactor,
    stateDir: path.resolve(loaded.root, config.stateDir), configFile: loaded.file, root: loaded.root, kinds, env,
  }
}

/** The environment and its full plan, every step's options and settings checked by its kind. */
export async function planEnvironment(input: EnvironmentInput): Promise<PlannedEnvironment> {
  const opened = await openEnvironment(input)
  return { ...opened, plan: buildPlan({ environmentName: opened.environmentName, environment: opened.environment, configFile: opened.configFile, kinds: opened.kinds }) }
}
