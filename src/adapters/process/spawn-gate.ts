import { accessSync, constants } from 'node:fs'
import path from 'node:path'

/**
 * A gate in front of a child that must be recorded before it does anything: a shell that waits for
 * one line on fd 3, then closes it and becomes the program (same pid, same process group). The
 * parent writes the line once the pid is on disk. When the parent dies first, fd 3 reaches end of
 * file and the shell exits 125 without starting the program.
 */
const GATE = 'IFS= read -r _ <&3 || exit 125; exec 3<&-; exec "$@"'

export function gatedCommand(argv: string[]): string[] {
  return ['/bin/sh', '-c', GATE, 'rollout-gate', ...argv]
}

/**
 * The error spawn would give for a program that cannot be run (ENOENT), or null when it can: the
 * gate's shell would only print "not found" and exit 127, which callers could not tell apart.
 */
export function missingProgram(program: string, searchPath = ''): NodeJS.ErrnoException | null {
  const candidates = program.includes('/') ? [program] : searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, program))
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK)
      return null
    } catch {
      // not here
    }
  }
  const error: NodeJS.ErrnoException = new Error(`spawn ${program} ENOENT`)
  error.code = 'ENOENT'
  error.path = program
  return error
}
