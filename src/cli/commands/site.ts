import path from 'node:path'
import { ConfigError } from '../../shared/errors.js'
import { formatPath } from '../../config/issues.js'
import { EXIT } from '../exit-codes.js'
import { renderSiteStatus, type SiteReport } from '../render/site.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import { openEnvironment } from './environment-access.js'

interface SiteOptions {
  configPath?: string
  json?: boolean
  environment: string
}

/** The site folder and health settings of an environment served by the `local` provider; any other provider is a config error. */
async function localSiteOf(o: SiteOptions) {
  const access = await openEnvironment(o.environment, o.configPath)
  const provider = access.environment.provider
  if (provider?.kind !== 'local') {
    const key = formatPath(['environments', o.environment, 'provider', 'kind'])
    throw new ConfigError(`${key}: is ${provider ? `"${provider.kind}"` : 'not set'}; \`rollout site\` needs "local", the provider that runs the site on this machine`)
  }
  const { parseLocalOptions } = await import('../../adapters/providers/local/options.js')
  const options = parseLocalOptions(provider)
  return { root: path.resolve(access.cwd, options.root), options, cwd: access.cwd }
}

/**
 * `rollout site status <env>`: the supervisor, the public address, the deployment serving and one
 * health request to its app. Exit 0 while the supervisor runs, 1 when it does not.
 */
export async function siteStatusCommand(o: SiteOptions): Promise<number> {
  const { root, options, cwd } = await localSiteOf(o)
  const { localSiteStatus } = await import('../../adapters/providers/local.js')
  const { checkHealthOnce } = await import('../../adapters/providers/local/health.js')
  const status = await localSiteStatus(root)
  const port = status.serving ? status.current?.port : null
  const health = port
    ? await checkHealthOnce(port, { path: options.health.path, https: options.health.https, hostHeader: options.health.hostHeader, caFile: options.health.ca ? path.resolve(cwd, options.health.ca) : undefined })
    : null
  const report: SiteReport = { environment: o.environment, running: status.supervisorPid !== null, ...status, health }
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else process.stdout.write(`${renderSiteStatus(report, makeStyle(colorsEnabled(process.stdout)))}\n`)
  return report.running ? EXIT.ok : EXIT.failedClean
}

/** `rollout site stop <env>`: app and supervisor stopped, the port freed; releases and state stay. Stopping a stopped site is no error. */
export async function siteStopCommand(o: SiteOptions): Promise<number> {
  const { root } = await localSiteOf(o)
  const { stopLocalSite } = await import('../../adapters/providers/local.js')
  const stopped = await stopLocalSite(root)
  process.stdout.write(stopped ? `stopped the site of ${o.environment} (${root}); a deploy or rollback starts it again\n` : `the site of ${o.environment} (${root}) is not running: nothing to stop\n`)
  return EXIT.ok
}
