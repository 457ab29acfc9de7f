import type { Redactor } from '../../config/redact.js'
import type { ResolvedEnvironment } from '../../config/types.js'
import type { StepContext } from '../../engine/step-kind.js'
import type { DeployProvider, ProviderCallOptions } from '../../adapters/providers/provider.js'

const NO_PROVIDER = 'the environment has no provider: set provider.kind (command, railway, vercel, digitalocean or local)'

/**
 * The environment's deploy provider, built for a step: its tokens come from the run's variables.
 * `missing` says what a step cannot do without one.
 */
export async function providerFor(ctx: StepContext<unknown>, missing = NO_PROVIDER): Promise<DeployProvider> {
  return environmentProvider(ctx.environment, ctx.environmentName, ctx.cwd, ctx.redactor, ctx.env, missing)
}

/** The environment's deploy provider, outside a step (a check before the run starts). */
export async function environmentProvider(environment: ResolvedEnvironment, environmentName: string, cwd: string, redactor: Redactor, env: NodeJS.ProcessEnv, missing = NO_PROVIDER): Promise<DeployProvider> {
  const config = environment.provider
  if (!config) throw new Error(missing)
  const { createProvider } = await import('../../adapters/providers/index.js')
  return createProvider(config, { cwd, env, redactor, resolve: environment.resolve, environmentName })
}

/** Call options for a provider: the step's signal, and its log through the redactor. */
export function callOptionsOf(ctx: StepContext<unknown>): ProviderCallOptions {
  return { signal: ctx.signal, log: (line) => ctx.log(ctx.redactor.redact(line)), onSpawn: (pid) => ctx.trackProcess(pid) }
}
