import path from 'node:path'
import type { LocalSiteStatus } from '../adapters/providers/local.js'
import type { HealthResult } from '../adapters/providers/local/health.js'
import { formatPath } from '../config/issues.js'
import { ConfigError } from '../shared/errors.js'
import { openEnvironment, type EnvironmentInput } from './environment.js'

/** What `rollout site status` reports: the supervisor, the deployment serving, one health request. */
export interface SiteReport extends LocalSiteStatus {
  environment: string
  /** Whether the supervisor runs; an app may still be restarting behind it. */
  running: boolean
  /** One request to the app's health path, null when no app serves. */
  health: HealthResult | null
}

/** The site folder and health settings of an environment served by the `local` provider; any other provider is a config error. */
async function localSiteOf(input: EnvironmentInput) {
  const opened = await openEnvironment(input)
  const provider = opened.environment.provider
  if (provider?.kind !== 'local') {
    const key = formatPath(['environments', input.environment, 'provider', 'kind'])
    throw new ConfigError(`${key}: is ${provider ? `"${provider.kind}"` : 'not set'}; \`rollout site\` needs "local", the provider that runs the site on this machine`)
  }
  const { parseLocalOptions } = await import('../adapters/providers/local/options.js')
  const options = parseLocalOptions(provider)
  return { root: path.resolve(opened.root, options.root), options, cwd: opened.root }
}

/** `rollout site status <env>`: the supervisor, the public address, the deployment serving and one health request to its app. */
export async function siteStatus(input: EnvironmentInput): Promise<SiteReport> {
  const { root, options, cwd } = await localSiteOf(input)
  const { localSiteStatus } = await import('../adapters/providers/local.js')
  const { checkHealthOnce } = await import('../adapters/providers/local/health.js')
  const status = await localSiteStatus(root)
  const port = status.serving ? status.current?.port : null
  const health = port
    ? await checkHealthOnce(port, { path: options.health.path, https: options.health.https, hostHeader: options.health.hostHeader, caFile: options.health.ca ? path.resolve(cwd, options.health.ca) : undefined })
    : null
  return { environment: input.environment, running: status.supervisorPid !== null, ...status, health }
}

/** `rollout site stop <env>`: app and supervisor stopped, the port freed; releases and state stay. */
export async function stopSite(input: EnvironmentInput): Promise<{ root: string; stopped: boolean }> {
  const { root } = await localSiteOf(input)
  const { stopLocalSite } = await import('../adapters/providers/local.js')
  return { root, stopped: await stopLocalSite(root) }
}
