import path from 'node:path'
import { ask } from './control.js'
import { supervisorStatus } from './launch.js'
import { siteLayout } from './layout.js'
import { killLeftovers } from './leftovers.js'
import { groupAlive, isAlive, waitFor } from './processes.js'
import { readState, writeState } from './state.js'
import { existsSync, rmSync } from 'node:fs'

export interface LocalSiteStatus {
  root: string
  /** true while the supervisor runs and an app serves the public port. */
  serving: boolean
  supervisorPid: number | null
  listening: { host: string; port: number; tls: boolean } | null
  /** `port`: the app's internal port, where its health is asked directly. */
  current: { id: string; release: string | null; pid: number | null; port: number | null; restarts: number } | null
  /** An app still running although its supervisor is gone (killed outright): `stopLocalSite` stops it. */
  leftoverApp: { deploymentId: string; pid: number } | null
}

/** What a local site is doing, from its supervisor when it runs, else from its state file. */
export async function localSiteStatus(root: string): Promise<LocalSiteStatus> {
  const layout = siteLayout(path.resolve(root))
  const sup = await supervisorStatus(layout)
  const state = sup?.state ?? readState(layout)
  const record = state.current ? state.deployments.find((d) => d.id === state.current) : undefined
  const app = sup?.app && sup.app.deploymentId === state.current ? sup.app : null
  return {
    root: layout.root,
    serving: !!app?.running,
    supervisorPid: sup?.pid ?? null,
    listening: sup?.listening ?? null,
    leftoverApp: !sup && state.app && groupAlive(state.app.pid) ? { deploymentId: state.app.deploymentId, pid: state.app.pid } : null,
    current: state.current ? { id: state.current, release: record?.release ?? null, pid: app?.pid ?? null, port: app?.port ?? null, restarts: app?.restarts ?? 0 } : null,
  }
}

/**
 * Stops a local site: its supervisor and every app it runs (`rollout demo --stop`). Releases,
 * logs and the state stay, so a later deploy or rollback starts it again. Returns whether
 * anything was running.
 */
export async function stopLocalSite(root: string): Promise<boolean> {
  const layout = siteLayout(path.resolve(root))
  const before = readState(layout)
  const answer = await ask(layout.socket, { op: 'stop' }, 60_000)
  if (answer) {
    const pid = answer.ok ? answer.status.pid : before.supervisor?.pid
    if (pid) await waitFor(() => !isAlive(pid), 15_000)
    return true
  }
  // No supervisor answers: whatever the state still names is stopped directly.
  const lines = await killLeftovers(layout, before, { supervisor: true })
  if (existsSync(layout.stateFile) && (before.app || before.supervisor)) writeState(layout, { ...before, app: null, supervisor: null })
  rmSync(layout.socket, { force: true })
  return lines.length > 0
}
