import { DatabaseError } from './errors.js'

/** The parts of mysql://user:password@host:port/database, URL-decoded. */
export interface MysqlTarget {
  user: string
  password: string
  host: string
  port: number
  /** Empty when the URL names no database (a server URL). */
  database: string
  /** Query parameters, e.g. ssl settings; passed on as connection options where they apply. */
  params: Record<string, string>
}

/** Parses a database URL. Errors never repeat the URL: it may hold a password. */
export function parseMysqlUrl(url: string): MysqlTarget {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new DatabaseError('URL', 'the database URL is not a URL; expected mysql://user:password@host:3306/database')
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new DatabaseError('URL', `the database URL starts with "${parsed.protocol}//"; expected mysql:// or mariadb://`)
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (database.includes('/')) throw new DatabaseError('URL', 'the database URL has more than one path segment; expected mysql://user:password@host:3306/database')
  return {
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    database,
    params: Object.fromEntries(parsed.searchParams),
  }
}

/** The target's database name, or an error naming what is missing. */
export function requireDatabase(target: MysqlTarget): string {
  if (!target.database) throw new DatabaseError('URL', 'the database URL names no database; expected mysql://user:password@host:3306/database')
  return target.database
}

/** The same server and account with another database (a scratch schema, a restore target). */
export function withDatabase(target: MysqlTarget, database: string): MysqlTarget {
  return { ...target, database }
}

/** host:port/database with the user, for logs: never the password. */
export function describeTarget(target: MysqlTarget): string {
  return `${target.user}@${target.host}:${target.port}${target.database ? `/${target.database}` : ''}`
}

/** Quotes an identifier for SQL: backticks, doubled inside. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`'
}
