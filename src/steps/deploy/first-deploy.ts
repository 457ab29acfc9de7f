import type { Redactor } from '../../config/redact.js'
import type { ResolvedEnvironment } from '../../config/types.js'
import { RolloutError } from '../../shared/errors.js'
import { environmentProvider } from './provider-for.js'

/**
 * `--first` skips the gates that check the running app: refused when the provider reports a
 * deployment live, so a flag cannot switch off the checks of an app that is there. A provider that
 * cannot tell (a command provider without `current`) takes the flag at its word.
 */
export async function refuseFirstWhenLive(environment: ResolvedEnvironment, cwd: string, environmentName: string, redactor: Redactor, env: NodeJS.ProcessEnv): Promise<void> {
  if (!environment.provider) return
  const provider = await environmentProvider(environment, environmentName, cwd, redactor, env)
  const live = await provider.current({ signal: AbortSignal.timeout(60_000), log: () => {} })
  if (live?.live) {
    throw new RolloutError('USAGE', `--first: ${environmentName} already has ${provider.kind} deployment ${live.id} live; a first deploy would skip the gates that check it`, 'run without --first')
  }
}
