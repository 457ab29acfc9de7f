import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { holdsGlobal, parseGrants, privilegesOn, REQUIRED_PRIVILEGES, withoutCredentials } from './grants.js'
import { scratchGrantPattern, scratchName } from '../migrate/scratch-name.js'
import { scratchPrivilegesMissing } from '../migrate/scratch-grants.js'

export const databaseOptions = z.strictObject({
  privileges: z.array(z.string().min(1)).default([...REQUIRED_PRIVILEGES]).describe('Privileges needed on the target database; by default what a consistent dump and a migration need.'),
  connectTimeoutMs: z.number().int().positive().default(10_000),
})
export type DatabaseOptions = z.output<typeof databaseOptions>

interface ServerFacts {
  version: string
  flavour: 'MariaDB' | 'MySQL' | 'Percona Server'
  comment: string
  user: string
  database: string | null
  grants: string[]
}

export default defineStepKind<DatabaseOptions>({
  kind: 'database',
  description: 'connects to the database; reports flavour and version and names privileges a backup or migration would miss',
  options: databaseOptions,
  async run(ctx) {
    const url = ctx.environment.database?.url
    if (!url) return { status: 'skipped', summary: `no database configured (environments.${ctx.environmentName}.database.url)` }
    const target = connectionOptions(url, ctx.environment.resolve)
    ctx.log(`connecting to ${target.host}:${target.port}/${target.database} as ${target.user}`)
    let facts: ServerFacts
    const started = performance.now()
    try {
      facts = await inspect(target, ctx.options.connectTimeoutMs, ctx.signal)
    } catch (error) {
      const summary = ctx.redactor.redact(describeConnectError(error as MysqlError, target, ctx.options.connectTimeoutMs))
      return { status: 'failed', summary, data: { code: (error as MysqlError).code ?? null } }
    }
    const connectMs = Math.round(performance.now() - started)
    const parsed = parseGrants(facts.grants)
    const report = privilegesOn(parsed, target.database, ctx.options.privileges.map((p) => p.toUpperCase()))
    const grants = facts.grants.map(withoutCredentials)
    await ctx.writeEvidence('database.json', JSON.stringify({ host: target.host, port: target.port, database: target.database, flavour: facts.flavour, version: facts.version, versionComment: facts.comment, user: facts.user, connectMs, grants, roles: parsed.roles, effective: report.effective, missing: report.missing, partial: report.partial }, null, 2), 'database server and grants')
    for (const g of grants) ctx.log(g)
    const data = { flavour: facts.flavour, version: facts.version, user: facts.user, missing: report.missing }
    const server = `${facts.flavour} ${facts.version}`
    if (report.missing.length) {
      const partial = report.partial.length ? `; only table-level grants for some: ${report.partial.slice(0, 3).join('; ')}` : ''
      const roles = parsed.roles.length ? `; roles ${parsed.roles.join(', ')} count only when active` : ''
      return { status: 'failed', summary: `${server}: ${facts.user} lacks ${report.missing.join(', ')} on ${target.database} (needed for the backup and the migration)${partial}${roles}`, data }
    }
    const summary = `${server}, connected as ${facts.user} in ${connectMs} ms; every needed privilege on ${target.database}`
    const notes: string[] = []
    // Without RELOAD a backup cannot take the brief global read lock that puts its checksums in the
    // dump's own snapshot, so a rollback must replay every table instead of only the changed ones.
    if (!holdsGlobal(parsed, 'RELOAD')) notes.push(`no global RELOAD: a rollback will restore every table rather than only those the migration changed (GRANT RELOAD ON *.* to ${facts.user} for the fast restore)`)
    const rehearsal = (ctx.environment.migrate as Record<string, unknown>).rehearse === false ? null : scratchPrivilegesMissing(parsed, target.database, scratchName(target.database, '20000101-000000-0000'))
    if (rehearsal?.missing.length) notes.push(`no ${rehearsal.missing.join(', ')} on the scratch databases ${scratchGrantPattern(target.database)}: the migration rehearsal will be skipped (${rehearsal.grant(facts.user)})`)
    if (notes.length) return { status: 'warning', summary: `${summary}; ${notes.join('; ')}`, data }
    return { status: 'passed', summary, data }
  },
})

interface Target {
  host: string
  port: number
  user: string
  password: string
  database: string
  extra: Record<string, unknown>
}

/** The URL as mysql2 reads it, with the host swapped for the resolve map's address when it has one. */
function connectionOptions(url: string, resolve: Record<string, string> | undefined): Target {
  const u = new URL(url)
  const host = decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ''))
  const extra: Record<string, unknown> = {}
  for (const [key, value] of u.searchParams) {
    try {
      extra[key] = JSON.parse(value)
    } catch {
      extra[key] = value
    }
  }
  return {
    host: resolve?.[host] ?? host,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    extra,
  }
}

async function inspect(t: Target, connectTimeout: number, signal: AbortSignal): Promise<ServerFacts> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ ...t.extra, host: t.host, port: t.port, user: t.user, password: t.password, database: t.database, connectTimeout })
  const onAbort = () => conn.destroy()
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    const [rows] = await conn.query('SELECT VERSION() AS version, @@version_comment AS comment, CURRENT_USER() AS user, DATABASE() AS db')
    const info = (rows as Record<string, string | null>[])[0]!
    const [grantRows] = await conn.query('SHOW GRANTS')
    const grants = (grantRows as Record<string, string>[]).map((r) => String(Object.values(r)[0]))
    const text = `${info.version} ${info.comment}`
    const flavour = /mariadb/i.test(text) ? 'MariaDB' : /percona/i.test(text) ? 'Percona Server' : 'MySQL'
    return { version: String(info.version), flavour, comment: String(info.comment ?? ''), user: String(info.user), database: info.db ?? null, grants }
  } finally {
    signal.removeEventListener('abort', onAbort)
    await conn.end().catch(() => conn.destroy())
  }
}

interface MysqlError extends Error {
  code?: string
  errno?: number
}

/** The reason in the words a user acts on, the stage first: a firewall and a wrong password look alike otherwise. */
function describeConnectError(error: MysqlError, t: Target, timeoutMs: number): string {
  const where = `${t.host}:${t.port}`
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused: nothing accepts connections on ${where}`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS failure: ${t.host} does not resolve (${error.code})`
    case 'ETIMEDOUT':
      return `timeout: no answer from ${where} within ${timeoutMs} ms (a firewall dropping the connection?)`
    case 'ER_ACCESS_DENIED_ERROR':
      return `access denied for user ${t.user} at ${where}: wrong password, or the user may not connect from this host (${error.message})`
    case 'ER_BAD_DB_ERROR':
      return `database ${t.database} does not exist on ${where}`
    case 'ER_DBACCESS_DENIED_ERROR':
      return `user ${t.user} may not use database ${t.database} (${error.message})`
    case 'HANDSHAKE_SSL_ERROR':
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return `TLS failure with the database at ${where}: ${error.message}`
    default:
      return `database connection to ${where} failed${error.code ? ` (${error.code})` : ''}: ${error.message}`
  }
}
