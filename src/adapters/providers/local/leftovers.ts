import { realpathSync } from 'node:fs'
import path from 'node:path'
import { argvOf, cwdOf, groupMembers, isAlive, stopGroup } from './processes.js'
import type { SiteLayout } from './layout.js'
import type { SiteState } from './state.js'

/**
 * Stops what a supervisor that is gone (killed, or the machine's processes lost) left behind: the
 * app recorded in the state, and with `supervisor` the recorded supervisor itself. A recorded pid is
 * only signalled while it still looks like ours (an app running in one of this site's release
 * folders; a supervisor started for this root), since the number may belong to another process now.
 */
export async function killLeftovers(layout: SiteLayout, state: SiteState, opts: { supervisor?: boolean } = {}): Promise<string[]> {
  const lines: string[] = []
  const app = state.app
  if (app && groupMembers(app.pid).some((pid) => isInside(cwdOf(pid), layout.releases))) {
    await stopGroup(app.pid, 5000)
    lines.push(`stopped the app of ${app.deploymentId} (pid ${app.pid}) left running by an earlier supervisor`)
  }
  const sup = state.supervisor
  if (opts.supervisor && sup && sup.pid !== process.pid && isAlive(sup.pid) && (argvOf(sup.pid) ?? []).includes(layout.root)) {
    process.kill(sup.pid, 'SIGKILL')
    lines.push(`stopped the supervisor (pid ${sup.pid}), which did not answer on its socket`)
  }
  return lines
}

function isInside(dir: string | null, parent: string): boolean {
  if (!dir) return false
  try {
    // /proc gives the real path; the root may have been named through a symlink.
    parent = realpathSync(parent)
  } catch {
    return false
  }
  const rel = path.relative(parent, dir)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}
