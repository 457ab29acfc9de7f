import { existsSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { SiteLayout } from './layout.js'

/** starting: being started and health-checked · active: serving · retired: served before, kept for rollback · failed: never passed its health check. */
export type DeploymentStatus = 'starting' | 'active' | 'retired' | 'failed'

export interface DeploymentRecord {
  id: string
  release: string
  createdAt: string
  status: DeploymentStatus
  activatedAt?: string
  /** Why it failed, in the supervisor's words (never the app's output: that stays in its log file). */
  reason?: string
}

export interface AppRecord {
  deploymentId: string
  pid: number
  /** Internal port the proxy forwards to. */
  port: number
  startedAt: string
  restarts: number
}

/**
 * The site's state file. Only one process writes it at a time (the supervisor while it runs, else
 * whoever stops the site), and always whole, through a rename. No environment values are kept in it.
 */
export interface SiteState {
  current: string | null
  previous: string | null
  deployments: DeploymentRecord[]
  supervisor: { pid: number; host: string; port: number; startedAt: string } | null
  app: AppRecord | null
  updatedAt?: string
}

export function emptyState(): SiteState {
  return { current: null, previous: null, deployments: [], supervisor: null, app: null }
}

export function readState(layout: SiteLayout): SiteState {
  let text: string
  try {
    text = readFileSync(layout.stateFile, 'utf8')
  } catch {
    return emptyState()
  }
  try {
    return { ...emptyState(), ...(JSON.parse(text) as Partial<SiteState>) }
  } catch (error) {
    throw new Error(`the site state ${layout.stateFile} is not valid JSON (${(error as Error).message}): fix or remove it`)
  }
}

export function writeState(layout: SiteLayout, state: SiteState): void {
  const tmp = `${layout.stateFile}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, layout.stateFile)
}

/** Points `current` at a release: a new link renamed over the old one, so it is never missing. */
export function pointCurrentAt(layout: SiteLayout, id: string): void {
  const tmp = `${layout.current}.${process.pid}.tmp`
  rmSync(tmp, { force: true })
  symlinkSync(path.join('releases', id), tmp)
  renameSync(tmp, layout.current)
}

/** The deployment id `current` points at, or null when there is no link. */
export function currentTarget(layout: SiteLayout): string | null {
  if (!existsSync(path.dirname(layout.current))) return null
  try {
    return path.basename(readlinkSync(layout.current))
  } catch {
    return null
  }
}
