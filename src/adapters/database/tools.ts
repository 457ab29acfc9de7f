import { access, constants } from 'node:fs/promises'
import path from 'node:path'
import type { Connection } from 'mysql2/promise'
import { runCommand } from '../process/run-command.js'
import { DatabaseError } from './errors.js'
import { queryRows } from './connect.js'

export type Flavor = 'mariadb' | 'mysql'

export interface ServerInfo {
  flavor: Flavor
  /** e.g. 10.11.19 or 8.0.36 */
  version: string
  /** SELECT VERSION() as the server says it, e.g. 10.11.19-MariaDB-0+deb12u1 */
  versionString: string
  /** @@version_comment, e.g. "Debian 12" or "MySQL Community Server - GPL" */
  versionComment: string
}

export interface ToolInfo {
  /** Absolute path of the executable. */
  path: string
  flavor: Flavor
  version: string
}

/** The server's flavour and version: MySQL-8-only dump flags must never reach MariaDB's tools. */
export async function detectServer(conn: Connection): Promise<ServerInfo> {
  const [row] = await queryRows<{ v: string; c: string }>(conn, 'SELECT VERSION() AS v, @@version_comment AS c')
  const versionString = String(row?.v ?? '')
  const versionComment = String(row?.c ?? '')
  return parseServerVersion(versionString, versionComment)
}

export function parseServerVersion(versionString: string, versionComment: string): ServerInfo {
  const flavor: Flavor = /mariadb/i.test(versionString) || /mariadb/i.test(versionComment) ? 'mariadb' : 'mysql'
  // MariaDB 10.x once reported itself as "5.5.5-10.x.y-MariaDB" to old clients.
  const match = /(?:^5\.5\.5-)?(\d+\.\d+\.\d+)/.exec(versionString)
  return { flavor, version: match?.[1] ?? versionString, versionString, versionComment }
}

/**
 * Reads a tool's `--version` line. MariaDB's tools say "Distrib 10.11.19-MariaDB"; MySQL 8 says
 * "Ver 8.0.36 for Linux"; MySQL 5.7 says "Ver 10.13 Distrib 5.7.44".
 */
export function parseToolVersion(output: string): { flavor: Flavor; version: string } | null {
  const line = output.trim().split('\n')[0] ?? ''
  const distrib = /Distrib (\d+\.\d+\.\d+)(-MariaDB)?/i.exec(line)
  if (distrib) return { flavor: distrib[2] || /mariadb/i.test(line) ? 'mariadb' : 'mysql', version: distrib[1]! }
  const ver = /Ver (\d+\.\d+\.\d+)/.exec(line)
  if (ver) return { flavor: /mariadb/i.test(line) ? 'mariadb' : 'mysql', version: ver[1]! }
  return null
}

/** Finds an executable on PATH (plus the sbin folders, where Debian puts server binaries). */
export async function findExecutable(name: string, extraDirs: string[] = []): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean)
  for (const dir of dirs) {
    const candidate = path.join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}

const toolCache = new Map<string, ToolInfo | null>()

async function probeTool(name: string): Promise<ToolInfo | null> {
  const key = `${process.env.PATH}\0${name}`
  if (toolCache.has(key)) return toolCache.get(key)!
  const file = await findExecutable(name)
  let info: ToolInfo | null = null
  if (file) {
    const result = await runCommand({ command: [file, '--version'] }).catch(() => null)
    const parsed = result && result.exitCode === 0 ? parseToolVersion(result.stdout || result.stderr) : null
    if (parsed) info = { path: file, ...parsed }
  }
  toolCache.set(key, info)
  return info
}

/** Picks the tool of the server's own flavour when there is one; either works for plain SQL. */
async function pickTool(server: Pick<ServerInfo, 'flavor'>, names: Record<Flavor, string>, what: string): Promise<ToolInfo> {
  const order: Flavor[] = server.flavor === 'mariadb' ? ['mariadb', 'mysql'] : ['mysql', 'mariadb']
  const found: ToolInfo[] = []
  for (const flavor of order) {
    const info = await probeTool(names[flavor])
    if (info) found.push(info)
  }
  const best = found.find((t) => t.flavor === server.flavor) ?? found[0]
  if (!best) {
    throw new DatabaseError(
      'TOOL_MISSING',
      `no ${what} found on PATH (looked for ${names.mariadb} and ${names.mysql})`,
      'install Debian/Ubuntu\'s "mariadb-client" (apt-get install mariadb-client) or "default-mysql-client", or Homebrew\'s "mariadb" or "mysql-client"',
    )
  }
  return best
}

export function findDumpTool(server: Pick<ServerInfo, 'flavor'>): Promise<ToolInfo> {
  return pickTool(server, { mariadb: 'mariadb-dump', mysql: 'mysqldump' }, 'database dump tool')
}

export function findClientTool(server: Pick<ServerInfo, 'flavor'>): Promise<ToolInfo> {
  return pickTool(server, { mariadb: 'mariadb', mysql: 'mysql' }, 'database client')
}

/** Forgets probed tools (tests change PATH). */
export function clearToolCache(): void {
  toolCache.clear()
}

/**
 * The dump's arguments. Every output option that the section scanner relies on is named
 * explicitly, so a user's my.cnf (skip-comments, compact) cannot change the dump's shape.
 * The defaults file must come first: the tools only accept it there.
 */
export function dumpArguments(tool: ToolInfo, defaultsFile: string, database: string): string[] {
  const args = [
    `--defaults-extra-file=${defaultsFile}`,
    '--single-transaction',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--skip-dump-date',
    '--comments',
    '--add-drop-table',
    '--add-locks',
    '--create-options',
    '--disable-keys',
    '--extended-insert',
    '--quick',
    '--set-charset',
    '--tz-utc',
    '--default-character-set=utf8mb4',
    '--no-tablespaces',
    '--max-allowed-packet=1073741824',
  ]
  if (tool.flavor === 'mysql') {
    // MySQL's own tool: without these it writes GTID statements a restore cannot run, and asks
    // MariaDB or older servers for column statistics they do not have. MariaDB's tool rejects both.
    args.push('--set-gtid-purged=OFF')
    if (Number(tool.version.split('.')[0]) >= 8) args.push('--column-statistics=0')
  }
  args.push(database)
  return args
}

/** The client's arguments for replaying a dump into `database`. */
export function clientArguments(defaultsFile: string, database: string): string[] {
  return [
    `--defaults-extra-file=${defaultsFile}`,
    `--database=${database}`,
    '--binary-mode',
    '--batch',
    '--default-character-set=utf8mb4',
    '--max-allowed-packet=1073741824',
  ]
}

export interface Compressor {
  kind: 'zstd' | 'gzip'
  /** File name ending: .sql.zst or .sql.gz */
  extension: string
  /** zstd's executable when kind is zstd. */
  path?: string
}

/** zstd when installed (several times faster than gzip on a dump, as the backup bench shows), else gzip through node:zlib. */
export async function pickCompressor(preference: 'auto' | 'zstd' | 'gzip' = 'auto'): Promise<Compressor> {
  if (preference !== 'gzip') {
    const zstd = await findExecutable('zstd')
    if (zstd) return { kind: 'zstd', extension: '.sql.zst', path: zstd }
    if (preference === 'zstd') throw new DatabaseError('TOOL_MISSING', 'zstd is not installed', 'install Debian\'s "zstd" (apt-get install zstd) or Homebrew\'s "zstd", or use gzip compression')
  }
  return { kind: 'gzip', extension: '.sql.gz' }
}
