import { readFileSync } from 'node:fs'

/**
 * Whether a process of this host still runs. EPERM means it exists under another user. A zombie
 * (exited, not yet reaped: common in containers whose init does not reap) has stopped.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    // No /proc (not Linux): the signal reached it.
    return true
  }
}
