import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sslOption } from './connect.js'
import type { MysqlTarget } from './url.js'

/**
 * Writes the target's credentials into an option file only the owner can read (0600, inside a 0700
 * folder) for the dump and client tools, runs `fn` with its path, then deletes it. The password
 * thus never appears in a process's argument list or environment.
 */
export async function withDefaultsFile<T>(target: MysqlTarget, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rollout-my-'))
  const file = path.join(dir, 'client.cnf')
  try {
    await writeFile(file, defaultsFileText(target), { mode: 0o600, flag: 'wx' })
    return await fn(file)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
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
