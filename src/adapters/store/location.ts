import path from 'node:path'
import { ConfigError } from '../../shared/errors.js'

/** Where the run record lives: the embedded SQLite file, or a database every machine reaches. */
export type StoreLocation =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres' | 'mysql'; url: string; prefix: string }

export const DEFAULT_TABLE_PREFIX = 'rollout_'

/**
 * Reads a store URL: `sqlite:<path>` (relative to `root`), `postgres://…`/`postgresql://…`, or
 * `mysql://…`/`mariadb://…`. `key` names the setting in errors.
 */
export function parseStoreUrl(url: string, root: string, key: string, prefix = DEFAULT_TABLE_PREFIX): StoreLocation {
  if (!/^[a-z_][a-z0-9_]{0,30}$/i.test(prefix)) {
    throw new ConfigError(`${key}: prefix: expected letters, digits and _ (at most 31, not starting with a digit), got "${prefix}"`)
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '')
    if (!file) throw new ConfigError(`${key}: expected sqlite:<path of the record file>`)
    return { kind: 'sqlite', file: path.resolve(root, file) }
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ConfigError(`${key}: expected a store URL (sqlite:<path>, postgres://user@host/db or mysql://user@host/db), got "${redactUrl(url)}"`)
  }
  const scheme = parsed.protocol.replace(/:$/, '')
  if (!parsed.pathname.replace(/^\//, '')) {
    throw new ConfigError(`${key}: the URL names no database (expected ${scheme}://user@host/<database>)`)
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url, prefix }
  if (scheme === 'mysql' || scheme === 'mariadb') return { kind: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), prefix }
  throw new ConfigError(`${key}: expected sqlite:, postgres:// or mysql://, got ${scheme}:`)
}

/** A printable name of the store: never its password. */
export function describeStore(location: StoreLocation): string {
  if (location.kind === 'sqlite') return location.file
  return `${redactUrl(location.url)} (tables ${location.prefix}*)`
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    parsed.search = ''
    return parsed.toString()
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@')
  }
}
