import { ConfigError } from '../../engine/errors.js'
import type { DeployProvider, ProviderContext, ProviderFactory } from './provider.js'

export type { DeployProvider, ProviderContext, Deployment, LogLine } from './provider.js'

/**
 * Every provider by the name `provider.kind` uses. Each loads on first use, so a config naming one
 * platform never loads the others.
 */
const PROVIDERS: Record<string, () => Promise<ProviderFactory>> = {
  command: async () => (await import('./command.js')).createCommandProvider,
  railway: async () => (await import('./railway.js')).createRailwayProvider,
  vercel: async () => (await import('./vercel.js')).createVercelProvider,
  digitalocean: async () => (await import('./digitalocean.js')).createDigitalOceanProvider,
  local: async () => {
    // The local provider ships separately; loaded by a computed name so this file builds without it.
    const mod = (await import(LOCAL).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ERR_MODULE_NOT_FOUND') throw new ConfigError('provider.kind: the "local" provider is not available in this build')
      throw error
    })) as { createLocalProvider?: ProviderFactory }
    if (typeof mod.createLocalProvider !== 'function') throw new ConfigError('provider.kind: the "local" provider module exports no createLocalProvider')
    return mod.createLocalProvider
  },
}
const LOCAL = './local.js'

export function knownProviderKinds(): string[] {
  return Object.keys(PROVIDERS).sort()
}

/** Builds the provider an environment's `provider` section names; its options are checked by the provider itself. */
export async function createProvider(config: { kind: string; [key: string]: unknown }, ctx: ProviderContext): Promise<DeployProvider> {
  const load = Object.hasOwn(PROVIDERS, config.kind) ? PROVIDERS[config.kind] : undefined
  if (!load) {
    throw new ConfigError(`provider.kind: unknown provider "${config.kind}" (known providers: ${knownProviderKinds().join(', ')})`)
  }
  const factory = await load()
  return factory(config, ctx)
}
