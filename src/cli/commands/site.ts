import { siteStatus, stopSite } from '../../app/site.js'
import { EXIT } from '../exit-codes.js'
import { renderSiteStatus } from '../render/site.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import { sourceOf, type VerbOptions } from './verb.js'

/** `rollout site status <env>`: exit 0 while the supervisor runs, 1 when it does not. */
export async function siteStatusCommand(o: VerbOptions): Promise<number> {
  const report = await siteStatus({ ...sourceOf(o), environment: o.environment })
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else process.stdout.write(`${renderSiteStatus(report, makeStyle(colorsEnabled(process.stdout)))}\n`)
  return report.running ? EXIT.ok : EXIT.failedClean
}

/** `rollout site stop <env>`: stopping a stopped site is no error. */
export async function siteStopCommand(o: VerbOptions): Promise<number> {
  const { root, stopped } = await stopSite({ ...sourceOf(o), environment: o.environment })
  process.stdout.write(stopped ? `stopped the site of ${o.environment} (${root}); a deploy or rollback starts it again\n` : `the site of ${o.environment} (${root}) is not running: nothing to stop\n`)
  return EXIT.ok
}
