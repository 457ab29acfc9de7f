import { runCommand } from '../process/run-command.js'

/** Asks git one question in `cwd`; null when git fails (not a repository, no such remote). */
async function git(cwd: string, args: string[], signal?: AbortSignal): Promise<string | null> {
  try {
    const result = await runCommand({ command: ['git', ...args], cwd, signal, maxOutputBytes: 64_000 })
    return result.exitCode === 0 ? result.stdout.trim() : null
  } catch {
    return null
  }
}

/** The commit checked out in `cwd`. */
export function headCommit(cwd: string, signal?: AbortSignal): Promise<string | null> {
  return git(cwd, ['rev-parse', '--verify', 'HEAD'], signal)
}

/** The branch checked out in `cwd`; null on a detached HEAD (CI checkouts often are). */
export async function currentBranch(cwd: string, signal?: AbortSignal): Promise<string | null> {
  return git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'], signal)
}

export function remoteUrl(cwd: string, remote: string, signal?: AbortSignal): Promise<string | null> {
  return git(cwd, ['remote', 'get-url', remote], signal)
}
