import type { ZodType } from 'zod'
import { ConfigError } from '../../shared/errors.js'
import { formatPath } from '../../config/issues.js'
import { parseProviderOptions } from './options.js'
import type { DeployProvider, ProviderContext, ProviderFactory } from './provider.js'

export type { DeployProvider, ProviderContext, Deployment, LogLine } from './provider.js'

/** What a provider module gives: its options schema (checked at the config boundary) and its factory. */
interface ProviderModule {
  options: ZodType<ProviderConfig>
  create: ProviderFactory
  /** Checks files the options name (relative to the config's folder) at the config boundary. */
  checkFiles?: (options: ProviderConfig, root: string, at: (string | number)[]) => void
}

/** A provider section as it was checked by its provider's schema: defaults applied, durations in ms. */
export type ProviderConfig = { kind: string; [key: string]: unknown }

/**
 * Every provider by the name `provider.kind` uses. Each loads on first use, so a config naming one
 * platform never loads the others.
 */
const PROVIDERS: Record<string, () => Promise<ProviderModule>> = {
  command: async () => {
    const m = await import('./command.js')
    return { options: m.commandProviderOptions, create: m.createCommandProvider }
  },
  railway: async () => {
    const m = await import('./railway.js')
    return { options: m.railwayProviderOptions, create: m.createRailwayProvider }
  },
  vercel: async () => {
    const m = await import('./vercel.js')
    return { options: m.vercelProviderOptions, create: m.createVercelProvider }
  },
  digitalocean: async () => {
    const m = await import('./digitalocean.js')
    return { options: m.digitalOceanProviderOptions, create: m.createDigitalOceanProvider }
  },
  local: async () => {
    // The local provider ships separately; loaded by a computed name so this file builds without it.
    const mod = (await import(LOCAL).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ERR_MODULE_NOT_FOUND') throw new ConfigError('provider.kind: the "local" provider is not available in this build')
      throw error
    })) as { createLocalProvider?: ProviderFactory; localProviderOptions?: ZodType<ProviderConfig>; checkLocalProviderFiles?: ProviderModule['checkFiles'] }
    if (typeof mod.createLocalProvider !== 'function' || !mod.localProviderOptions) throw new ConfigError('provider.kind: the "local" provider module exports no createLocalProvider')
    return { options: mod.localProviderOptions, create: mod.createLocalProvider, checkFiles: mod.checkLocalProviderFiles }
  },
}
const LOCAL = './local.js'

export function knownProviderKinds(): string[] {
  return Object.keys(PROVIDERS).sort()
}

/**
 * Checks an environment's `provider` section with its provider's own schema: the config boundary
 * calls it, so a typo in a provider setting stops `plan` and `run` before anything changes, not the
 * deploy after the migration. Errors name the key under `at`.
 */
export async function parseProviderConfig(config: { kind: string; [key: string]: unknown }, at: (string | number)[] = ['provider'], root?: string): Promise<ProviderConfig> {
  const load = Object.hasOwn(PROVIDERS, config.kind) ? PROVIDERS[config.kind] : undefined
  if (!load) {
    throw new ConfigError(`${formatPath([...at, 'kind'])}: unknown provider "${config.kind}" (known providers: ${knownProviderKinds().join(', ')})`)
  }
  const module = await load()
  const options = parseProviderOptions(module.options, config, at)
  // With the config's folder known, the files the options name are checked too (a certificate, say).
  if (root !== undefined) module.checkFiles?.(options, root, at)
  return options
}

/** Builds the provider an environment's `provider` section names (checked again: this is also an API). */
export async function createProvider(config: { kind: string; [key: string]: unknown }, ctx: ProviderContext): Promise<DeployProvider> {
  const options = await parseProviderConfig(config, ['provider'], ctx.cwd)
  return (await PROVIDERS[options.kind]!()).create(options, ctx)
}
