/**
 * Which tables of one database a statement in the binary log writes, read from its text alone.
 * Sound or silent: a statement whose effect cannot be told from its text (a multi-table UPDATE,
 * LOAD DATA, a statement that names the database in a way not understood) is `unknown`, and the
 * caller then checks every table the slow way. Pure: no IO.
 */
export type StatementEffect =
  | { kind: 'tables'; tables: string[]; dml: boolean }
  | { kind: 'none' }
  | { kind: 'unknown'; statement: string }

const NAME = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)'
const QUALIFIED = `${NAME}(?:\\s*\\.\\s*${NAME})?`

/** Statements that change no table's rows or definition (objects are recreated by every restore anyway). */
const NO_TABLE_EFFECT = [
  /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|XA|FLUSH|ANALYZE|SET\s|GRANT|REVOKE|(CREATE|DROP|ALTER|RENAME)\s+USER|SET\s+PASSWORD|CREATE\s+(DATABASE|SCHEMA)|ALTER\s+(DATABASE|SCHEMA))\b/i,
  // Views, triggers, routines and events, whatever clauses come before the keyword.
  /^(CREATE|ALTER|DROP)\b(?:(?!\bTABLE\b|\bINDEX\b)[\s\S])*?\b(VIEW|TRIGGER|PROCEDURE|FUNCTION|EVENT)\b/i,
]

export function statementEffect(sql: string, defaultDatabase: string | null, database: string): StatementEffect {
  const text = stripComments(sql).trim().replace(/;\s*$/, '')
  if (!text) return { kind: 'none' }
  if (/^DROP\s+(DATABASE|SCHEMA)\b/i.test(text)) return refersTo(text, database) ? { kind: 'unknown', statement: text } : { kind: 'none' }
  if (NO_TABLE_EFFECT.some((pattern) => pattern.test(text))) return { kind: 'none' }
  const named = tablesNamed(text)
  if (!named) return mentions(text, defaultDatabase, database) ? { kind: 'unknown', statement: text } : { kind: 'none' }
  const ours = named.names.map((n) => resolve(n, defaultDatabase)).filter((n) => n.database === database).map((n) => n.table)
  return ours.length ? { kind: 'tables', tables: [...new Set(ours)], dml: named.dml } : { kind: 'none' }
}

/** The tables a statement of a form understood here writes, as written (maybe qualified); null otherwise. */
function tablesNamed(text: string): { names: string[]; dml: boolean } | null {
  const one = (pattern: string, dml: boolean) => {
    const match = new RegExp(`^${pattern}\\s*(${QUALIFIED})`, 'i').exec(text)
    return match ? { names: [match[1]!], dml } : null
  }
  const ddl =
    one('ALTER\\s+(?:ONLINE\\s+)?(?:IGNORE\\s+)?TABLE', false) ??
    one('CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?', false) ??
    one('TRUNCATE\\s+(?:TABLE\\s+)?', false) ??
    one('(?:OPTIMIZE|REPAIR)\\s+(?:NO_WRITE_TO_BINLOG\\s+|LOCAL\\s+)?TABLE', false)
  if (ddl) return /^(OPTIMIZE|REPAIR)\b/i.test(text) && /,/.test(text) ? null : ddl
  const index = new RegExp(`^(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?|DROP\\s+)INDEX\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?${NAME}\\s+ON\\s+(${QUALIFIED})`, 'i').exec(text)
  if (index) return { names: [index[1]!], dml: false }
  const drop = /^DROP\s+(?:TEMPORARY\s+)?TABLES?\s+(?:IF\s+EXISTS\s+)?([\s\S]+?)(?:\s+(?:RESTRICT|CASCADE))?$/i.exec(text)
  if (drop) return listOf(drop[1]!, false)
  const rename = /^RENAME\s+TABLES?\s+([\s\S]+)$/i.exec(text)
  if (rename) {
    const pairs = rename[1]!.split(/\s*,\s*/).flatMap((pair) => pair.split(/\s+TO\s+/i))
    return pairs.every((p) => new RegExp(`^${QUALIFIED}$`).test(p.trim())) ? { names: pairs.map((p) => p.trim()), dml: false } : null
  }
  // Single-table DML only: a join or a list of tables could write any of them.
  const insert = one('(?:INSERT|REPLACE)\\s+(?:LOW_PRIORITY\\s+|DELAYED\\s+|HIGH_PRIORITY\\s+)?(?:IGNORE\\s+)?(?:INTO\\s+)?', true)
  if (insert) return insert
  const update = new RegExp(`^UPDATE\\s+(?:LOW_PRIORITY\\s+)?(?:IGNORE\\s+)?(${QUALIFIED})(?:\\s+(?:AS\\s+)?${NAME})?\\s+SET\\b`, 'i').exec(text)
  if (update) return { names: [update[1]!], dml: true }
  const del = new RegExp(`^DELETE\\s+(?:LOW_PRIORITY\\s+)?(?:QUICK\\s+)?(?:IGNORE\\s+)?FROM\\s+(${QUALIFIED})(?:\\s+(?:WHERE|ORDER|LIMIT|RETURNING)\\b|$)`, 'i').exec(text)
  if (del) return { names: [del[1]!], dml: true }
  return null
}

function listOf(list: string, dml: boolean): { names: string[]; dml: boolean } | null {
  const names = list.split(/\s*,\s*/).map((n) => n.trim())
  return names.every((n) => new RegExp(`^${QUALIFIED}$`).test(n)) ? { names, dml } : null
}

function resolve(name: string, defaultDatabase: string | null): { database: string | null; table: string } {
  const parts = name.match(new RegExp(NAME, 'g'))!.map(unquote)
  return parts.length === 2 ? { database: parts[0]!, table: parts[1]! } : { database: defaultDatabase, table: parts[0]! }
}

function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1).replace(/``/g, '`') : name
}

/** Whether a statement could touch the database: run in it, or naming it anywhere. */
function mentions(text: string, defaultDatabase: string | null, database: string): boolean {
  return defaultDatabase === database || refersTo(text, database)
}

function refersTo(text: string, database: string): boolean {
  const quoted = '`' + database.replace(/`/g, '``') + '`'
  return text.includes(quoted) || new RegExp(`(^|[^A-Za-z0-9_$])${database.replace(/[$]/g, '\\$')}([^A-Za-z0-9_$]|$)`).test(text)
}

/** Comments out; executable comments (`/*!… *\/`) keep their text, which the server runs. */
function stripComments(sql: string): string {
  return sql.replace(/\/\*(!\d*)?([\s\S]*?)\*\//g, (_all, bang: string | undefined, body: string) => (bang !== undefined ? ` ${body} ` : ' '))
}
