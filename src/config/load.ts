import { applyPreset } from './presets.js'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseEnv } from 'node:util'
import { ConfigError, RolloutError } from '../shared/errors.js'
import { configSchema } from './schema.js'
import { parseStoreUrl, type StoreLocation } from '../adapters/store/location.js'
import { formatIssues } from './issues.js'
import { isEnvRef, isSecretRef, withConfigVars } from './markers.js'
import { evaluateConfigFile } from './evaluate.js'
import { Redactor } from './redact.js'
import { validateNotifyConfig } from '../adapters/notifiers/config.js'
import type { ResolvedConfig, ResolvedEnvironment } from './types.js'
import type { ProviderConfig } from '../adapters/providers/index.js'

/** What the record names as the config of a run started with a config object: there is no file to read again. */
export const CONFIG_OBJECT = '(config object)'

export const CONFIG_NAMES = ['rollout.config.ts', 'rollout.config.mts', 'rollout.config.js', 'rollout.config.mjs'] as const

/** A config file as loaded: markers still unresolved, so one environment can resolve without the others. */
export interface LoadedConfig {
  file: string
  root: string
  raw: Record<string, unknown>
  /** Process environment over the `.env` file beside the config. */
  vars: Record<string, string | undefined>
}

export function findConfigFile(cwd: string, explicit?: string): string {
  if (explicit) {
    const file = path.resolve(cwd, explicit)
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`, 'check the --config path')
    return file
  }
  for (const name of CONFIG_NAMES) {
    const file = path.join(cwd, name)
    if (existsSync(file)) return file
  }
  throw new ConfigError(`no ${CONFIG_NAMES[0]} (or .js/.mjs) in ${cwd}`, 'run `rollout init` to write one, or pass --config <file>')
}

export async function loadConfig(opts: { cwd: string; configPath?: string; env?: NodeJS.ProcessEnv }): Promise<LoadedConfig> {
  const file = findConfigFile(opts.cwd, opts.configPath)
  const root = path.dirname(file)
  const vars = { ...readDotEnv(root), ...(opts.env ?? process.env) }
  let raw: unknown
  try {
    const mod = await evaluateConfigFile(file, vars)
    // Named exports alone would otherwise read as a config with no environments, a puzzling message.
    const named = Object.keys(mod)
    if (!named.includes('default')) {
      throw new ConfigError(
        `${file} has no default export${named.length ? ` (it exports ${named.join(', ')})` : ''}`,
        `the config is the file's default export: export default defineConfig({ environments: { staging: { url: '…' } } })`,
      )
    }
    raw = mod.default
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const where = error instanceof Error && error.stack ? firstFrameIn(error.stack, file) : ''
    throw new ConfigError(`${file} could not be loaded${where}: ${(error as Error).message ?? String(error)}`, undefined, { cause: error })
  }
  return settle(raw, { file, root, vars }, 'expected `export default defineConfig({ ... })`')
}

/**
 * A config given as a value by a program rather than a file: the same markers, presets and checks.
 * `cwd` stands in for the config's folder (relative paths, `.env`); `label` names it in messages
 * and in the run record.
 */
export async function loadConfigObject(config: unknown, opts: { cwd: string; env?: NodeJS.ProcessEnv; label?: string }): Promise<LoadedConfig> {
  const root = path.resolve(opts.cwd)
  const vars = { ...readDotEnv(root), ...(opts.env ?? process.env) }
  return settle(config, { file: opts.label ?? path.join(root, CONFIG_OBJECT), root, vars }, 'expected a config object ({ environments: { … } })')
}

/** A config written as a function is called with the variables in place; the result must be an object. */
async function settle(raw: unknown, where: Omit<LoadedConfig, 'raw'>, expected: string): Promise<LoadedConfig> {
  if (typeof raw === 'function') {
    const make = raw as () => unknown
    raw = await withConfigVars(where.vars, async () => make())
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${where.file}: ${expected}, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`)
  return { ...where, raw: raw as Record<string, unknown> }
}

export function environmentNames(loaded: LoadedConfig): string[] {
  const envs = loaded.raw.environments
  return envs && typeof envs === 'object' ? Object.keys(envs) : []
}

/**
 * Resolves one environment: env() and secret() markers read, secrets registered with the redactor,
 * defaults applied, everything validated. The other environments are not touched, so their
 * variables need not be set.
 */
export async function resolveEnvironment(loaded: LoadedConfig, name: string, redactor: Redactor): Promise<{ config: ResolvedConfig; environment: ResolvedEnvironment }> {
  const all = loaded.raw.environments
  // An array or a string here would otherwise read as "no environments", hiding the real mistake.
  if (all !== undefined && (typeof all !== 'object' || all === null || Array.isArray(all))) {
    throw new ConfigError(`${loaded.file}: environments: expected an object of environments by name ({ staging: { url: … } }), got ${Array.isArray(all) ? 'an array' : all === null ? 'null' : typeof all}`)
  }
  const names = environmentNames(loaded)
  const rawEnv = (loaded.raw.environments as Record<string, unknown> | undefined)?.[name]
  if (rawEnv === undefined) {
    throw new RolloutError('USAGE', `unknown environment "${name}" in ${loaded.file}`, names.length ? `environments defined there: ${names.join(', ')}` : 'the config defines no environments')
  }
  // Step kinds are code, not settings: no markers in them to resolve.
  const { environments: _all, kinds, ...rest } = loaded.raw
  const picked = resolveMarkers({ ...rest, environments: { [name]: rawEnv } }, loaded, redactor, []) as Record<string, unknown> & { environments: Record<string, unknown> }
  if (kinds !== undefined) picked.kinds = kinds
  picked.environments[name] = applyPreset(picked.environments[name])
  const parsed = configSchema.safeParse(picked, { reportInput: true })
  if (!parsed.success) throw new ConfigError(`${loaded.file}:\n${redactor.redact(formatIssues(parsed.error.issues, [], configSchema))}`)
  const environment = parsed.data.environments[name]!
  if (environment.database?.url) redactor.addUrl(environment.database.url)
  checkNotify(loaded.file, name, environment.notify, redactor)
  if (environment.provider) environment.provider = await checkProvider(loaded, name, environment.provider, redactor)
  return { config: { ...parsed.data, file: loaded.file, root: loaded.root }, environment }
}

/**
 * The provider section checked by its provider's own schema, here rather than when the deploy step
 * builds the provider: by then the migration has run. The deploy step gets the parsed section.
 */
async function checkProvider({ file, root }: LoadedConfig, name: string, provider: ProviderConfig, redactor: Redactor): Promise<ProviderConfig> {
  const { parseProviderConfig } = await import('../adapters/providers/index.js')
  try {
    return await parseProviderConfig(provider, ['environments', name, 'provider'], root)
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${file}:\n${redactor.redact(error.message)}`)
    throw error
  }
}

/** A bad `notify` entry is a config error here, not a channel warning in the middle of a run. */
function checkNotify(file: string, name: string, notify: readonly unknown[], redactor: Redactor): void {
  try {
    validateNotifyConfig(notify, ['environments', name])
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${file}:\n${redactor.redact(error.message)}`)
    throw error
  }
}

/** Only the top-level settings (state folder, contacts): what history, status and unlock need. */
export interface Globals {
  stateDir: string
  store: StoreLocation
  root: string
  file: string
  /** s3://… where runs' evidence is copied, or null when it stays in stateDir only. */
  evidence: string | null
  storage: ResolvedConfig['storage']
}

export function resolveGlobals(loaded: LoadedConfig, redactor = new Redactor()): Globals {
  const stateDir = resolveMarkers(loaded.raw.stateDir ?? '.rollout', loaded, redactor, ['stateDir'])
  if (typeof stateDir !== 'string') throw new ConfigError(`${loaded.file}: stateDir: expected a folder path`)
  const dir = path.resolve(loaded.root, stateDir)
  const configured = loaded.raw.store === undefined ? undefined : resolveMarkers(loaded.raw.store, loaded, redactor, ['store'], true)
  let store: StoreLocation
  try {
    store = resolveStore(configured, loaded.vars.ROLLOUT_STORE_URL, dir, loaded.root)
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${loaded.file}: ${error.message}`, error.hint)
    throw error
  }
  // The URL carries the database password: hidden wherever the run writes, whatever the config said.
  if (store.kind !== 'sqlite') redactor.addUrl(store.url)
  return { stateDir: dir, store, root: loaded.root, file: loaded.file, ...objectStorageGlobals(loaded) }
}

/** `evidence` and `storage`, checked by their own schemas: the verbs that only read the record need them too. */
function objectStorageGlobals(loaded: LoadedConfig): Pick<Globals, 'evidence' | 'storage'> {
  const parsed = configSchema.pick({ evidence: true, storage: true }).safeParse({ evidence: loaded.raw.evidence, storage: loaded.raw.storage })
  if (!parsed.success) throw new ConfigError(`${loaded.file}:\n${formatIssues(parsed.error.issues, [], configSchema)}`)
  return { evidence: parsed.data.evidence?.replace(/\/+$/, '') ?? null, storage: parsed.data.storage }
}

/** The config's `store`, else ROLLOUT_STORE_URL, else the SQLite file in the state folder. */
export function resolveStore(configured: unknown, fromEnv: string | undefined, stateDir: string, root: string): StoreLocation {
  if (configured === undefined) {
    if (fromEnv) return parseStoreUrl(fromEnv, root, 'ROLLOUT_STORE_URL')
    return { kind: 'sqlite', file: path.join(stateDir, 'rollout.db') }
  }
  if (typeof configured === 'string') return parseStoreUrl(configured, root, 'store')
  const { url, prefix } = (configured ?? {}) as { url?: unknown; prefix?: unknown }
  if (typeof url !== 'string') throw new ConfigError('store: url: expected a store URL (sqlite:<path>, postgres://… or mysql://…)')
  if (prefix !== undefined && typeof prefix !== 'string') throw new ConfigError('store: prefix: expected a string')
  return parseStoreUrl(url, root, 'store', prefix)
}

const SENSITIVE_KEY = /pass(word)?|token|secret|webhook|api[-_]?key|credential/i

function resolveMarkers(value: unknown, loaded: LoadedConfig, redactor: Redactor, at: (string | number)[], sensitive = false): unknown {
  if (isSecretRef(value)) {
    const inner = resolveMarkers(value.value, loaded, redactor, at, true)
    if (typeof inner === 'string') redactor.addUrl(inner)
    return inner
  }
  if (isEnvRef(value)) {
    const found = loaded.vars[value.name] ?? value.fallback
    if (found === undefined || found === '') {
      throw new ConfigError(
        `${loaded.file}: ${formatKey(at)}: environment variable ${value.name} is not set`,
        `set ${value.name} in the environment or in ${path.join(loaded.root, '.env')}`,
      )
    }
    // A value read from a sensitive-looking key is hidden even when the config forgot secret().
    if (sensitive || SENSITIVE_KEY.test(String(at[at.length - 1] ?? ''))) redactor.addUrl(found)
    return found
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveMarkers(v, loaded, redactor, [...at, i], sensitive))
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveMarkers(v, loaded, redactor, [...at, k], sensitive)]))
  }
  if (typeof value === 'string' && (sensitive || SENSITIVE_KEY.test(String(at[at.length - 1] ?? '')))) redactor.addUrl(value)
  return value
}

function formatKey(at: (string | number)[]): string {
  return at.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('')
}

function readDotEnv(dir: string): Record<string, string> {
  const file = path.join(dir, '.env')
  if (!existsSync(file)) return {}
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>
  } catch (error) {
    throw new ConfigError(`${file} could not be read: ${(error as Error).message}`)
  }
}

function firstFrameIn(stack: string, file: string): string {
  const line = stack.split('\n').find((l) => l.includes(file))
  const match = line && /:(\d+):(\d+)\)?$/.exec(line)
  return match ? ` (line ${match[1]})` : ''
}
