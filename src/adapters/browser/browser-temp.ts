import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { processAlive } from '../../shared/process/alive.js'

const PREFIX = 'rollout-browser-'

/**
 * The temporary folder of this process for its browsers: Playwright's profile and artifacts folders
 * and Chromium's own temporary files go inside it. Playwright removes its folders when a browser is
 * closed, so a `kill -9` of rollout leaves them behind; the pid in this folder's name lets a later
 * rollout remove it once this process is gone. Folders of other programs are never touched. One per
 * process, removed when it exits: a step running meanwhile may have been given it as TMPDIR (below).
 */
let ours: string | undefined
export function browserTempDir(): string {
  if (ours && existsSync(ours)) return ours
  sweepBrowserTempDirs()
  const dir = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`))
  ours = dir
  process.once('exit', () => rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 }))
  return dir
}

/** Removes the browser folders of rollout processes that are gone; returns their paths. */
export function sweepBrowserTempDirs(tmp = os.tmpdir()): string[] {
  let names: string[]
  try {
    names = readdirSync(tmp)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue
    const pid = Number(name.slice(PREFIX.length).split('-')[0])
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue
    const folder = path.join(tmp, name)
    try {
      // The browser the killed rollout left may still run (it writes to its profile as it exits).
      for (const orphan of processesNaming(folder)) process.kill(orphan, 'SIGKILL')
      rmSync(folder, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
      removed.push(folder)
    } catch {
      // left for the next sweep
    }
  }
  return removed
}

/** Processes whose command line names `folder` (Chromium's `--user-data-dir=<folder>/…`); none without /proc. */
export function processesNaming(folder: string): number[] {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n))
  } catch {
    return []
  }
  return pids.map(Number).filter((pid) => {
    try {
      return pid !== process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${folder}/`)
    } catch {
      return false
    }
  })
}

/**
 * Runs `launch` with TMPDIR pointing at `dir`: Playwright makes its profile folder in os.tmpdir()
 * while it launches and has no option for it outside a persistent context. Steps of a phase may run
 * at the same time, so another step may make a temporary file (or start a command) meanwhile: it
 * lands in this process's folder, which stays until the process exits.
 */
export async function withTempDir<T>(dir: string, launch: () => Promise<T>): Promise<T> {
  const saved = process.env.TMPDIR
  process.env.TMPDIR = dir
  try {
    return await launch()
  } finally {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  }
}
