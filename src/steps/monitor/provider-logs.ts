import type { DeployProvider, LogLine } from '../../adapters/providers/provider.js'
import type { StepContext } from '../../engine/step-kind.js'

export type LogFetcher = (lines: number, signal: AbortSignal) => Promise<LogLine[]>

/**
 * The one place the monitor reaches the deploy provider: builds it from the environment's `provider`
 * section through the providers' registry and hands back its `logs()`. Loaded lazily, like every
 * provider.
 */
export async function providerLogs(ctx: StepContext<unknown>): Promise<LogFetcher> {
  const config = ctx.environment.provider
  if (!config) throw new Error('monitor.errors.source is "logs" but the environment has no `provider`: set one, or use source "prometheus" or "metric"')
  // A specifier held in a variable: the registry loads each provider's module itself.
  const registry = '../../adapters/providers/index.js'
  const { createProvider } = (await import(registry)) as {
    createProvider(config: { kind: string }, ctx: { cwd: string; env: NodeJS.ProcessEnv; redactor: unknown; resolve?: Record<string, string>; environmentName?: string }): Promise<DeployProvider>
  }
  const provider = await createProvider(config, { cwd: ctx.cwd, env: process.env, redactor: ctx.redactor, resolve: ctx.environment.resolve, environmentName: ctx.environmentName })
  return (lines, signal) => provider.logs({ lines, signal, log: (line) => ctx.log(line) })
}
