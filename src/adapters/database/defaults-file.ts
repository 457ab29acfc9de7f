import { randomBytes } from 'node:crypto'
import { closeSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sslOption } from './connect.js'
import type { MysqlTarget } from './url.js'

/** What the dump and client tools are told: their option file is the descriptor they inherit as fd 3. */
export const OPTION_FILE_PATH = '/dev/fd/3'

/**
 * The target's credentials as an option file the tools read through an inherited descriptor
 * (`--defaults-extra-file=/dev/fd/3`), so the password is in no argument list, no environment and
 * no file anyone can find by name: the backing file is unlinked before a byte is written to it, so
 * even a `kill -9` leaves nothing behind, and the kernel frees it when the last process holding it
 * exits. It lives in /dev/shm (memory) where there is one, else in the temporary folder.
 *
 * A pipe would be nicer, but Node's child-process pipes are sockets, which /dev/fd cannot open
 * (the tools say "Could not open required defaults file"). One descriptor per child: on systems
 * where opening /dev/fd/N duplicates the descriptor, two readers would share its offset.
 *
 * Returns the descriptor; the caller hands it to exactly one child as fd 3, then closes it.
 */
export function openOptionFile(target: MysqlTarget): number {
  const file = path.join(optionFileDir(), `rollout-opt-${process.pid}-${randomBytes(8).toString('hex')}`)
  const fd = openSync(file, 'wx+', 0o600)
  try {
    unlinkSync(file)
    const text = Buffer.from(defaultsFileText(target))
    // At an explicit position: the descriptor's own offset stays at 0 for the child to read from.
    writeSync(fd, text, 0, text.length, 0)
    return fd
  } catch (error) {
    closeSync(fd)
    try {
      unlinkSync(file)
    } catch {
      // already gone
    }
    throw error
  }
}

/** Closes a descriptor openOptionFile gave, once its child has it (or did not start). */
export function closeOptionFile(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // already closed
  }
}

let shmUsable: boolean | undefined
function optionFileDir(): string {
  if (shmUsable === undefined) {
    try {
      shmUsable = statSync('/dev/shm').isDirectory()
    } catch {
      shmUsable = false
    }
  }
  return shmUsable ? '/dev/shm' : os.tmpdir()
}

/** The option file's text: a [client] group, read by mariadb-dump, mysqldump, mariadb and mysql alike. */
export function defaultsFileText(target: MysqlTarget): string {
  const lines = [
    '[client]',
    `user=${quoteOption(target.user)}`,
    `password=${quoteOption(target.password)}`,
    `host=${quoteOption(target.host)}`,
    `port=${target.port}`,
    // mysql2 always speaks TCP; without this the tools would use the Unix socket for "localhost"
    // and might log in as a different account.
    'protocol=TCP',
  ]
  if (sslOption(target.params)) lines.push('ssl')
  return lines.join('\n') + '\n'
}

/** Option-file values are quoted with escapes for backslash, quote and line breaks. */
function quoteOption(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"'
}
