import type { LogLine } from '../../adapters/providers/provider.js'
import { providerFor } from '../deploy/provider-for.js'
import type { StepContext } from '../../engine/step-kind.js'

export type LogFetcher = (lines: number, signal: AbortSignal) => Promise<LogLine[]>

/** The deploy provider's `logs()`, for a monitor that reads error lines from the app's logs. */
export async function providerLogs(ctx: StepContext<unknown>): Promise<LogFetcher> {
  const provider = await providerFor(ctx, 'monitor.errors.source is "logs" but the environment has no `provider`: set one, or use source "prometheus" or "metric"')
  return (lines, signal) => provider.logs({ lines, signal, log: (line) => ctx.log(line) })
}
