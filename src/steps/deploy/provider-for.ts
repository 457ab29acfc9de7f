import type { StepContext } from '../../engine/step-kind.js'
import type { DeployProvider, ProviderCallOptions } from '../../adapters/providers/provider.js'

/** The environment's deploy provider, built for a step: its tokens come from the process's variables. */
export async function providerFor(ctx: StepContext<unknown>): Promise<DeployProvider> {
  const config = ctx.environment.provider
  if (!config) throw new Error('the environment has no provider: set provider.kind (command, railway, vercel, digitalocean or local)')
  const { createProvider } = await import('../../adapters/providers/index.js')
  return createProvider(config, {
    cwd: ctx.cwd,
    env: process.env,
    redactor: ctx.redactor,
    resolve: ctx.environment.resolve,
    environmentName: ctx.environmentName,
  })
}

/** Call options for a provider: the step's signal, and its log through the redactor. */
export function callOptionsOf(ctx: StepContext<unknown>): ProviderCallOptions {
  return { signal: ctx.signal, log: (line) => ctx.log(ctx.redactor.redact(line)), onSpawn: (pid) => ctx.trackProcess(pid) }
}
