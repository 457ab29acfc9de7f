import { closeQuietly, openConnection } from '../../adapters/database/connect.js'
import { checksumTables, countRows, listTables } from '../../adapters/database/inventory.js'
import { readSchemaFingerprint } from '../../adapters/database/fingerprint.js'
import { httpRequest } from '../../adapters/http/request.js'
import { trustedExtras } from '../../adapters/tls/trust.js'
import { parseMysqlUrl } from '../../adapters/database/url.js'

/** What the demo compares before and after a rolled-back run: every table's checksum and the schema. */
export interface DatabaseState {
  schemaHash: string
  tables: Record<string, number | null>
  rows: Record<string, number>
}

export async function readDatabaseState(url: string): Promise<DatabaseState> {
  const target = parseMysqlUrl(url)
  const conn = await openConnection(target)
  try {
    const tables = (await listTables(conn, target.database)).map((t) => t.name)
    const sums = await checksumTables([conn], target.database, tables)
    const rows: Record<string, number> = {}
    for (const t of tables) rows[t] = await countRows(conn, target.database, t)
    return { schemaHash: (await readSchemaFingerprint(conn, target.database)).hash, tables: Object.fromEntries(sums), rows }
  } finally {
    await closeQuietly(conn)
  }
}

/** Tables whose checksum differs (or that exist on one side only); empty when the states are equal. */
export function tablesThatDiffer(a: DatabaseState, b: DatabaseState): string[] {
  const names = new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])
  return [...names].filter((n) => a.tables[n] !== b.tables[n]).sort()
}

/** How many rows each of `tables` gained (or lost) from `a` to `b`. */
export function rowChanges(a: DatabaseState, b: DatabaseState, tables: string[]): Record<string, number> {
  return Object.fromEntries(tables.map((t) => [t, (b.rows[t] ?? 0) - (a.rows[t] ?? 0)]))
}

/** The release the site serves now, from its /version.json, through the sandbox's CA and name. */
export async function servedRelease(siteUrl: string, caFile: string, signal: AbortSignal): Promise<string> {
  const url = new URL('/version.json', siteUrl)
  const ca = (await trustedExtras({ caFile, cwd: process.cwd(), system: false })).pem
  const res = await httpRequest({ url: url.toString(), resolve: { [url.hostname]: '127.0.0.1' }, ca, timeoutMs: 10_000, signal })
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`)
  const release = (JSON.parse(res.body) as { release?: unknown }).release
  return typeof release === 'string' ? release : '(no release in /version.json)'
}
