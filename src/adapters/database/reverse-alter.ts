import { quoteIdent } from './url.js'

/**
 * Undoing an additive migration without replaying rows. Most migrations of a big table add a
 * column, an index or a foreign key; dropping them again is a metadata change (or an in-place
 * index drop) on the server, where replaying the table's rows from the dump takes minutes. Whatever
 * this plans is then proven like a replay: the definition must equal the backup's exactly and the
 * checksum must equal the manifest's, else the table is replayed after all.
 */

interface Part {
  name: string
  kind: 'column' | 'primary' | 'index' | 'foreign' | 'check'
  line: string
}

interface ParsedCreate {
  parts: Part[]
  options: string
}

/** SHOW CREATE TABLE text into its column, key and constraint lines and its table options. */
export function parseCreateTable(sql: string): ParsedCreate | null {
  const open = sql.indexOf('(\n')
  const close = sql.lastIndexOf('\n)')
  if (open === -1 || close === -1 || close < open) return null
  const parts: Part[] = []
  for (const raw of sql.slice(open + 2, close).split('\n')) {
    const line = raw.trim().replace(/,$/, '')
    if (!line) continue
    const part = classify(line)
    if (!part) return null
    parts.push(part)
  }
  return { parts, options: sql.slice(close + 2).replace(/\s+AUTO_INCREMENT=\d+/g, '').trim() }
}

function classify(line: string): Part | null {
  let m: RegExpExecArray | null
  if ((m = /^`((?:[^`]|``)+)` /.exec(line))) return { name: unquote(m[1]!), kind: 'column', line }
  if (line.startsWith('PRIMARY KEY ')) return { name: 'PRIMARY', kind: 'primary', line }
  if ((m = /^(?:UNIQUE |FULLTEXT |SPATIAL )?KEY `((?:[^`]|``)+)`/.exec(line))) return { name: unquote(m[1]!), kind: 'index', line }
  if ((m = /^CONSTRAINT `((?:[^`]|``)+)` FOREIGN KEY /.exec(line))) return { name: unquote(m[1]!), kind: 'foreign', line }
  if ((m = /^CONSTRAINT `((?:[^`]|``)+)` CHECK /.exec(line))) return { name: unquote(m[1]!), kind: 'check', line }
  return null
}

function unquote(name: string): string {
  return name.replace(/``/g, '`')
}

/**
 * The ALTER TABLE statements that turn `current` back into `original` when `current` only adds
 * columns, indexes, foreign keys or checks to it; null when the change is anything else (a column
 * changed or dropped, options changed, an order that dropping cannot restore).
 */
export function planReversal(table: string, original: string, current: string): string[] | null {
  const before = parseCreateTable(original)
  const after = parseCreateTable(current)
  if (!before || !after || before.options !== after.options) return null
  const key = (p: Part) => `${p.kind}\0${p.name}`
  const afterByKey = new Map(after.parts.map((p) => [key(p), p]))
  for (const p of before.parts) if (afterByKey.get(key(p))?.line !== p.line) return null
  const beforeKeys = new Set(before.parts.map(key))
  const added = after.parts.filter((p) => !beforeKeys.has(key(p)))
  if (!added.length) return null
  // Dropping the additions must leave the original columns in their original order.
  const remainingColumns = after.parts.filter((p) => p.kind === 'column' && beforeKeys.has(key(p))).map((p) => p.name)
  const originalColumns = before.parts.filter((p) => p.kind === 'column').map((p) => p.name)
  if (remainingColumns.join('\0') !== originalColumns.join('\0')) return null

  const t = quoteIdent(table)
  const foreign = added.filter((p) => p.kind === 'foreign').map((p) => `DROP FOREIGN KEY ${quoteIdent(p.name)}`)
  const rest = [...added.filter((p) => p.kind !== 'foreign' && p.kind !== 'column'), ...added.filter((p) => p.kind === 'column')]
    .map((p) => (p.kind === 'column' ? `DROP COLUMN ${quoteIdent(p.name)}` : p.kind === 'primary' ? 'DROP PRIMARY KEY' : p.kind === 'check' ? `DROP CONSTRAINT ${quoteIdent(p.name)}` : `DROP INDEX ${quoteIdent(p.name)}`))
  // A foreign key must go before the index it uses can.
  return [foreign.length ? `ALTER TABLE ${t} ${foreign.join(', ')}` : '', rest.length ? `ALTER TABLE ${t} ${rest.join(', ')}` : ''].filter(Boolean)
}
