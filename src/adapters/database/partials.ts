import { processAlive } from '../../shared/process/alive.js'
import { openStorage } from '../storage/open-storage.js'
export { partialPathFor } from '../storage/local-storage.js'

/*
 * A backup being written to a local folder is `<file>.<pid>.partial` (the storage writes it so):
 * the writer's pid in the name tells a later backup whether the file is still being written (the
 * process lives) or was left by one that was killed (it does not), without a lock file that a kill
 * would leave behind too. Object storage has no such files: an upload is invisible until complete.
 */
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
export async function sweepPartials(dir: string, alive: (pid: number) => boolean = processAlive, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const storage = openStorage(dir, env)
  const names = await storage.list().catch(() => [] as string[])
  const swept: string[] = []
  for (const name of names.filter((n) => isStalePartial(n, alive))) {
    await storage.remove(name)
    swept.push(name)
  }
  return swept
}
