/**
 * Text rewrites applied to a dump's statements (never to its rows) while it is replayed.
 * Pure functions: each takes and returns SQL text.
 */
import { withoutDeferredKeys } from './deferred-keys.js'

const USER_PART = "(?:`(?:[^`]|``)*`|'(?:[^'\\\\]|\\\\.|'')*'|[^\\s@*/`']+)"
const DEFINER = new RegExp(`DEFINER\\s*=\\s*${USER_PART}\\s*@\\s*${USER_PART}\\s*`, 'g')

/**
 * Removes DEFINER=user@host from views, triggers, routines and events, so the restoring account
 * becomes their definer. Creating an object for another definer needs SUPER or SET USER, which a
 * staging account rarely has (ERROR 1227).
 */
export function stripDefiners(sql: string): string {
  return sql.replace(DEFINER, '')
}

/**
 * Points qualified names at another schema. The dump tool writes views as
 * `db`.`table`.`column`, which would still read the original database after a restore elsewhere.
 */
export function renameSchema(sql: string, from: string, to: string): string {
  if (from === to) return sql
  const quote = (name: string) => '`' + name.replace(/`/g, '``') + '`'
  return sql.split(quote(from) + '.').join(quote(to) + '.')
}

/** Creates events disabled: in a scratch copy they must not run and change the data being compared. */
export function disableEvents(sql: string): string {
  return sql.replace(/(ON COMPLETION (?:NOT )?PRESERVE\s+)ENABLE(\s+(?:COMMENT\s+'(?:[^'\\]|\\.|'')*'\s+)?DO\b)/g, '$1DISABLE$2')
}

export interface RewriteOptions {
  stripDefiners?: boolean
  /** The dump's database → the target database, when they differ. */
  renameFrom?: string
  renameTo?: string
  disableEvents?: boolean
  /** Lines taken out of these tables' CREATE TABLE, to be added back after their rows (deferred-keys.ts). */
  deferKeys?: ReadonlyMap<string, readonly string[]>
}

export function rewriteStatements(sql: string, opts: RewriteOptions): string {
  // Keys first, on the text as the dump wrote it: the lines to take out were read from it.
  let out = opts.deferKeys?.size ? withoutDeferredKeys(sql, opts.deferKeys) : sql
  if (opts.stripDefiners) out = stripDefiners(out)
  if (opts.renameFrom !== undefined && opts.renameTo !== undefined) out = renameSchema(out, opts.renameFrom, opts.renameTo)
  if (opts.disableEvents) out = disableEvents(out)
  return out
}

export function needsRewrite(opts: RewriteOptions): boolean {
  return Boolean(opts.stripDefiners || opts.disableEvents || opts.deferKeys?.size || (opts.renameFrom !== undefined && opts.renameFrom !== opts.renameTo))
}

/**
 * A table definition as compared between the manifest and a live table: SHOW CREATE TABLE text
 * without the AUTO_INCREMENT counter, which moves with inserts without changing the definition.
 */
export function normalizeDefinition(createSql: string): string {
  return createSql
    .replace(/\s+AUTO_INCREMENT=\d+/g, '')
    .replace(/\r\n/g, '\n')
    .trim()
    .replace(/;$/, '')
}

/** The CREATE TABLE statement inside a table's structure text from the dump. */
export function extractCreateTable(structureText: string): string | null {
  const start = structureText.search(/^CREATE TABLE /m)
  if (start === -1) return null
  // SHOW CREATE TABLE output ends with ") ENGINE=…" (or the last option line) and the tool adds ";".
  const end = structureText.indexOf(';\n', start)
  return structureText.slice(start, end === -1 ? undefined : end)
}

/** Counts what the dump's statement text creates. */
export function countTriggers(text: string): number {
  return (text.match(/^\/\*!50003 CREATE\*\/ /gm) ?? []).length
}

export function countRoutines(text: string): number {
  return (text.match(/^\/\*!50003 DROP (?:PROCEDURE|FUNCTION) IF EXISTS /gm) ?? []).length
}

export function countEvents(text: string): number {
  return (text.match(/^\/\*!50106 DROP EVENT IF EXISTS /gm) ?? []).length
}
