/**
 * SHOW GRANTS lines read into privileges, so a gate can say which privileges a backup and a migration
 * need are missing. Pure: MySQL and MariaDB spellings alike.
 */

/** What a consistent dump and a migration need on the target database. */
export const REQUIRED_PRIVILEGES = ['SELECT', 'LOCK TABLES', 'SHOW VIEW', 'TRIGGER', 'EVENT', 'CREATE', 'ALTER', 'DROP', 'INDEX', 'REFERENCES'] as const

export interface Grant {
  privileges: string[]
  /** '*' for global grants. */
  database: string
  /** '*' for database-wide grants. */
  table: string
  /** TABLE, FUNCTION, PROCEDURE or PACKAGE grants name a routine instead of a table. */
  objectType?: string
  /** Privileges limited to some columns (SELECT (`a`, `b`)). */
  columnPrivileges: string[]
}

export interface ParsedGrants {
  grants: Grant[]
  /** Roles granted to the user (GRANT `role` TO …). */
  roles: string[]
  unparsed: string[]
}

export function parseGrants(lines: string[]): ParsedGrants {
  const out: ParsedGrants = { grants: [], roles: [], unparsed: [] }
  for (const raw of lines) {
    const line = raw.trim()
    // PROXY lets a user act as another; it grants nothing on tables.
    if (/^GRANT\s+PROXY\s+ON\s/i.test(line)) continue
    const m = /^GRANT\s+(.+?)\s+ON\s+(?:(TABLE|FUNCTION|PROCEDURE|PACKAGE BODY|PACKAGE)\s+)?((?:`(?:[^`]|``)*`|[^\s.`]+|\*)\.(?:`(?:[^`]|``)*`|[^\s`]+|\*))\s+TO\s+/i.exec(line)
    if (m) {
      const [database, table] = splitObject(m[3]!)
      const privileges: string[] = []
      const columnPrivileges: string[] = []
      for (const item of splitTopLevel(m[1]!)) {
        const column = /^(.+?)\s*\(.*\)$/.exec(item)
        if (column) columnPrivileges.push(normalise(column[1]!))
        else privileges.push(normalise(item))
      }
      out.grants.push({ privileges, database, table, ...(m[2] ? { objectType: m[2].toUpperCase() } : {}), columnPrivileges })
      continue
    }
    const role = /^GRANT\s+(.+?)\s+TO\s+/i.exec(line)
    if (role && !/\sON\s/i.test(role[1]!)) {
      out.roles.push(...splitTopLevel(role[1]!).map((r) => unquote(r.split('@')[0]!.trim())))
      continue
    }
    out.unparsed.push(line)
  }
  return out
}

export interface PrivilegeReport {
  /** Privileges that apply to the whole target database. */
  effective: string[]
  missing: string[]
  /** Grants that touch the database but do not count (single tables, columns, routines). */
  partial: string[]
}

/**
 * The privileges the user holds on every table of `database`: global grants plus database grants
 * whose name (a LIKE pattern, `\_` a literal underscore) matches. ALL [PRIVILEGES] holds everything.
 */
export function privilegesOn(parsed: ParsedGrants, database: string, required: readonly string[] = REQUIRED_PRIVILEGES): PrivilegeReport {
  const effective = new Set<string>()
  const partial: string[] = []
  let all = false
  for (const g of parsed.grants) {
    const global = g.database === '*' && g.table === '*'
    const wholeDb = g.table === '*' && !g.objectType && g.database !== '*' && likeMatches(g.database, database)
    if (global || wholeDb) {
      for (const p of g.privileges) {
        if (p === 'ALL' || p === 'ALL PRIVILEGES') all = true
        // USAGE means "no privileges": it only says the account exists.
        else if (p !== 'USAGE') effective.add(p)
      }
    } else if (g.database !== '*' && likeMatches(g.database, database)) {
      partial.push(`${[...g.privileges, ...g.columnPrivileges].join(', ')} on ${g.objectType ? `${g.objectType} ` : ''}${g.database}.${g.table}`)
    }
  }
  if (all) for (const p of required) effective.add(p)
  const missing = required.filter((p) => !effective.has(p))
  return { effective: [...effective].sort(), missing, partial }
}

/** Whether a global privilege (RELOAD, PROCESS…) is held: on *.*, by name or through ALL. */
export function holdsGlobal(parsed: ParsedGrants, privilege: string): boolean {
  return parsed.grants.some((g) => g.database === '*' && g.table === '*' && g.privileges.some((p) => p === privilege || p === 'ALL' || p === 'ALL PRIVILEGES'))
}

/** MySQL's database-name patterns: % any run, _ any one character, \_ and \% literal. */
export function likeMatches(pattern: string, name: string): boolean {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!)
    else if (c === '%') re += '.*'
    else if (c === '_') re += '.'
    else re += escapeRe(c)
  }
  return new RegExp(`${re}$`, 'i').test(name)
}

/** MariaDB shows the password hash in the USAGE line; it is not for the record. */
export function withoutCredentials(line: string): string {
  return line
    .replace(/IDENTIFIED\s+BY\s+PASSWORD\s+'[^']*'/gi, "IDENTIFIED BY PASSWORD '[redacted]'")
    .replace(/IDENTIFIED\s+(VIA|WITH)\s+(\S+)\s+(USING|AS|BY)\s+'[^']*'/gi, "IDENTIFIED $1 $2 $3 '[redacted]'")
}

function splitObject(object: string): [string, string] {
  const parts: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < object.length; i++) {
    const c = object[i]!
    if (c === '`') {
      if (quoted && object[i + 1] === '`') {
        current += '`'
        i++
      } else quoted = !quoted
    } else if (c === '.' && !quoted) {
      parts.push(current)
      current = ''
    } else current += c
  }
  parts.push(current)
  return [parts[0] ?? '*', parts[1] ?? '*']
}

function splitTopLevel(list: string): string[] {
  const items: string[] = []
  let depth = 0
  let current = ''
  let quote: string | null = null
  for (const c of list) {
    if (quote) {
      if (c === quote) quote = null
    } else if (c === '`' || c === "'") quote = c
    else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      items.push(current.trim())
      current = ''
      continue
    }
    current += c
  }
  if (current.trim()) items.push(current.trim())
  return items
}

function normalise(privilege: string): string {
  return privilege.trim().replace(/\s+/g, ' ').toUpperCase()
}

function unquote(s: string): string {
  return s.replace(/^[`'"]|[`'"]$/g, '')
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
