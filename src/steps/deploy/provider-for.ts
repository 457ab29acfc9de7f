import type { Redactor } from '../../config/redact.js'
import type { ResolvedEnvironment } from '../../config/types.js'
import type { StepContext } from '../../engine/step-kind.js'
import type { DeployProvider, ProviderCallOptions } from '../../adapters/providers/provider.js'

/** The environment's deploy provider, built for a step: its tokens come from the process's variables. */
export async function providerFor(ctx: StepContext<unknown>): Promise<DeployProvider> {
  return environmentProvider(ctx.environment, ctx.environmentName, ctx.cwd, ctx.redactor)
}

/** The environment's deploy provider, outside a step (a check before the run starts). */
export async function environmentProvider(environment: ResolvedEnvironment, environmentName: string, cwd: string, redactor: Redactor): Promise<DeployProvider> {
  const config = environment.provider
  if (!config) throw new Error('the environment has no provider: set provider.kind (command, railway, vercel, digitalocean or local)')
  const { createProvider } = await import('../../adapters/providers/index.js')
  return createProvider(config, { cwd, env: process.env, redactor, resolve: environment.resolve, environmentName })
}

/** Call options for a provider: the step's signal, and its log through the redactor. */
export function callOptionsOf(ctx: StepContext<unknown>): ProviderCallOptions {
  return { signal: ctx.signal, log: (line) => ctx.log(ctx.redactor.redact(line)), onSpawn: (pid) => ctx.trackProcess(pid) }
}
