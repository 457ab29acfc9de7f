import { createHash } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'

/** Where everything of one local site lives, all under its root (pure: no file is touched). */
export interface SiteLayout {
  root: string
  releases: string
  /** The symlink to the release being served. */
  current: string
  logs: string
  /** The app's own log file (LOG_FILE). */
  appLog: string
  supervisorLog: string
  stateFile: string
  /** The supervisor's control socket. */
  socket: string
}

/** Unix socket paths are limited to 107 bytes; a deeper root gets its socket in the temp folder. */
const MAX_SOCKET_PATH = 100

export function siteLayout(root: string): SiteLayout {
  const abs = path.resolve(root)
  const logs = path.join(abs, 'shared', 'logs')
  return {
    root: abs,
    releases: path.join(abs, 'releases'),
    current: path.join(abs, 'current'),
    logs,
    appLog: path.join(logs, 'app.log'),
    supervisorLog: path.join(logs, 'supervisor.log'),
    stateFile: path.join(abs, 'state.json'),
    socket: socketPathFor(abs),
  }
}

export function socketPathFor(root: string): string {
  const preferred = path.join(root, 'supervisor.sock')
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 16)
  return path.join(os.tmpdir(), `rollout-site-${hash}.sock`)
}

export const releaseDir = (layout: SiteLayout, id: string) => path.join(layout.releases, id)
/** The app's stdout and stderr, one file per deployment. */
export const outputFile = (layout: SiteLayout, id: string) => path.join(layout.logs, `${id}.out`)

/**
 * A deployment id: UTC time to the second, then the release (`20261125T101500Z-v2`), so ids sort by
 * age and say what they hold. A second deployment in the same second gets `-2`, `-3`…
 */
export function deploymentIdFor(release: string, now: Date, taken: ReadonlySet<string>): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const safe = release.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80) || 'release'
  const base = `${stamp}-${safe}`
  let id = base
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
  return id
}

/** Ids are file names the site made: nothing that climbs out of the releases folder. */
export function isDeploymentId(value: string): boolean {
  return /^\d{8}T\d{6}Z-[A-Za-z0-9._-]+$/.test(value) && !value.includes('..')
}

/**
 * Releases to remove: all but the newest `keep` (ids ordered oldest first), never a protected one
 * (the current release, the previous one, one being started).
 */
export function releasesToPrune(oldestFirst: readonly string[], keep: number, protect: readonly (string | null | undefined)[]): string[] {
  const kept = new Set(oldestFirst.slice(-keep))
  return oldestFirst.filter((id) => !kept.has(id) && !protect.includes(id))
}
