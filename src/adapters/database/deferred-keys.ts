/**
 * Secondary indexes built after the rows instead of row by row as they load: InnoDB sorts and
 * builds an index added to a full table much faster than it maintains it through millions of
 * inserts (on this project's bench, 6 million rows with two indexes and two foreign keys loaded in
 * 17.5 s plus 8.0 s for the ALTER TABLE, against 37.0 s with the indexes in place).
 *
 * Only what can be put back exactly is taken out: plain `KEY` lines, and with them every foreign
 * key of the table (a foreign key whose index is missing makes InnoDB create one of its own).
 * SHOW CREATE TABLE lists unique keys before plain ones and plain ones in the order they were
 * added, so adding them back in their order gives the same definition; the restore's proof
 * compares it.
 */
import { quoteIdent } from './url.js'

/** A table's definition as SHOW CREATE TABLE (and the dump) write it: one element per line. */
interface ParsedTable {
  name: string
  lines: string[]
  tail: string
}

/** Above this many bytes of rows a table's indexes are built after them; below, the ALTER would cost more than it saves. */
export const DEFER_MIN_ROW_BYTES = 16 * 1024 * 1024

/**
 * The lines to take out of each table's definition while its rows load, for the tables given
 * (name → bytes of rows). A table is left whole unless it is InnoDB, neither partitioned nor
 * system-versioned, and has a primary key, plain keys to defer, no FULLTEXT or SPATIAL key, its
 * AUTO_INCREMENT column (if any) first in a key that stays, and no foreign key of another table
 * pointing at anything but its primary key (the key that needs may be one of those taken out).
 */
export function planDeferredKeys(definitions: readonly { name: string; definition: string }[], rowBytes: ReadonlyMap<string, number>): Map<string, string[]> {
  const parsed = definitions.map((d) => parseCreateTable(d.definition))
  const referencedOtherThanPrimary = new Set<string>()
  for (const table of parsed) {
    for (const line of table?.lines ?? []) {
      const fk = /^CONSTRAINT .* FOREIGN KEY \(.*\) REFERENCES (`(?:[^`]|``)+`(?:\.`(?:[^`]|``)+`)?) \((.*?)\)/.exec(line)
      if (!fk) continue
      const parentName = unquoteLast(fk[1]!)
      const parent = parsed.find((t) => t?.name === parentName)
      if (!parent || primaryColumns(parent) !== columnList(fk[2]!)) referencedOtherThanPrimary.add(parentName)
    }
  }
  const plans = new Map<string, string[]>()
  for (const [index, table] of parsed.entries()) {
    if (!table || (rowBytes.get(table.name) ?? 0) < DEFER_MIN_ROW_BYTES || referencedOtherThanPrimary.has(table.name)) continue
    const lines = deferrableLines(table)
    // The rewrite must find each line where the dump has it, or the ALTER would add a key twice.
    if (lines.length && takesOutExactly(definitions[index]!.definition, table.name, lines)) plans.set(table.name, lines)
  }
  return plans
}

function deferrableLines(table: ParsedTable): string[] {
  if (!/^ENGINE=InnoDB\b/.test(table.tail) || /PARTITION BY|WITH SYSTEM VERSIONING/i.test(table.tail)) return []
  if (!table.lines.some((l) => l.startsWith('PRIMARY KEY '))) return []
  if (table.lines.some((l) => /^(FULLTEXT|SPATIAL|VECTOR) /.test(l))) return []
  const keys = table.lines.filter((l) => l.startsWith('KEY '))
  if (!keys.length) return []
  const autoColumn = table.lines.find((l) => l.startsWith('`') && / AUTO_INCREMENT\b/.test(l))
  if (autoColumn) {
    const name = autoColumn.slice(0, autoColumn.indexOf('` ') + 1)
    const kept = table.lines.filter((l) => /^(PRIMARY KEY|UNIQUE KEY) /.test(l))
    if (!kept.some((l) => l.includes(`(${name}`))) return []
  }
  return [...keys, ...table.lines.filter((l) => /^CONSTRAINT .* FOREIGN KEY /.test(l))]
}

/** The statement that puts a table's deferred lines back. */
export function addBackStatement(table: string, lines: readonly string[]): string {
  return `ALTER TABLE ${quoteIdent(table)} ${lines.map((l) => `ADD ${l}`).join(', ')}`
}

/**
 * Takes the planned lines out of each planned table's CREATE TABLE in a piece of the dump; every
 * other statement, and every other table, is left as it is.
 */
export function withoutDeferredKeys(sql: string, plans: ReadonlyMap<string, readonly string[]>): string {
  if (!plans.size) return sql
  return sql.replace(/^CREATE TABLE (`(?:[^`]|``)+`) \(\n([\s\S]*?)\n\) (ENGINE=)/gm, (whole, quoted: string, body: string, engine: string) => {
    const lines = plans.get(unquoteLast(quoted))
    if (!lines) return whole
    const drop = new Set(lines)
    const kept = body.split('\n').filter((l) => !drop.has(withoutComma(l.trim())))
    const fixed = kept.map((l, i) => (i < kept.length - 1 ? withComma(l) : withoutComma(l)))
    return `CREATE TABLE ${quoted} (\n${fixed.join('\n')}\n) ${engine}`
  })
}

function takesOutExactly(definition: string, name: string, lines: string[]): boolean {
  const rewritten = parseCreateTable(withoutDeferredKeys(definition, new Map([[name, lines]])))
  const before = parseCreateTable(definition)!
  return rewritten !== null && rewritten.lines.length === before.lines.length - lines.length && lines.every((l) => !rewritten.lines.includes(l))
}

function parseCreateTable(definition: string): ParsedTable | null {
  const m = /^CREATE TABLE (`(?:[^`]|``)+`) \(\n([\s\S]*?)\n\) (.*)$/s.exec(definition.trim())
  if (!m) return null
  return { name: unquoteLast(m[1]!), lines: m[2]!.split('\n').map((l) => withoutComma(l.trim())), tail: m[3]! }
}

function primaryColumns(table: ParsedTable): string | null {
  const line = table.lines.find((l) => l.startsWith('PRIMARY KEY '))
  return line ? columnList(line.slice(line.indexOf('(') + 1, line.lastIndexOf(')'))) : null
}

/** A key's columns as one text, whatever the spacing after the commas. */
function columnList(text: string): string {
  return text.replace(/`\s*,\s*`/g, '`,`')
}

function withoutComma(line: string): string {
  return line.endsWith(',') ? line.slice(0, -1) : line
}

function withComma(line: string): string {
  return line.endsWith(',') ? line : `${line},`
}

/** `a` or `db`.`a` → a */
function unquoteLast(quoted: string): string {
  const parts = quoted.match(/`(?:[^`]|``)+`/g) ?? [quoted]
  return parts[parts.length - 1]!.slice(1, -1).replace(/``/g, '`')
}
