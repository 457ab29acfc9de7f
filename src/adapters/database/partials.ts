import { processAlive } from '../../shared/process/alive.js'
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'

/**
 * A backup being written is `<file>.<pid>.partial`: the writer's pid in the name tells a later
 * backup whether the file is still being written (the process lives) or was left by one that was
 * killed (it does not), without a lock file that a kill would leave behind too.
 */
export function partialPathFor(finalPath: string, pid: number = process.pid): string {
  return `${finalPath}.${pid}.partial`
}

/** The writer's pid from a partial file's name; null for a name from before pids were in it. */
export function partialWriter(name: string): number | null {
  const match = /\.(\d+)\.partial$/.exec(name)
  return match ? Number(match[1]) : null
}

/** Whether a partial file may go: its writer is gone (same-host pids, as the environment lock uses). */
export function isStalePartial(name: string, alive: (pid: number) => boolean): boolean {
  if (!name.endsWith('.partial')) return false
  const pid = partialWriter(name)
  // Without a pid the writer is unknown; retention removes such a file once it is a day old.
  return pid !== null && pid !== process.pid && !alive(pid)
}

/** Deletes the partial files of backups that were stopped (killed, crashed); returns their names. */
export async function sweepPartials(dir: string, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  const swept: string[] = []
  for (const name of names.filter((n) => isStalePartial(n, alive))) {
    await rm(path.join(dir, name), { force: true })
    swept.push(name)
  }
  return swept
}
