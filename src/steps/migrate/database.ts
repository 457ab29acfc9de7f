import type { SchemaFingerprint } from '../../adapters/database/fingerprint.js'

/** The schema a mysql:// URL names; errors never repeat the URL (it may hold a password). */
export function databaseNameOf(url: string): string {
  let name = ''
  try {
    name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  } catch {
    throw new Error('database.url is not a URL; expected mysql://user:password@host:3306/database')
  }
  if (!name) throw new Error('database.url names no database; expected mysql://user:password@host:3306/database')
  return name
}

/**
 * Reads the schema fingerprint of the database the URL names, on a connection of its own that is
 * closed at once: a connection held open across a migration could hold metadata locks it waits on.
 */
export async function readFingerprintAt(url: string): Promise<SchemaFingerprint> {
  const database = databaseNameOf(url)
  const [{ readSchemaFingerprint }, mysql] = await Promise.all([import('../../adapters/database/fingerprint.js'), import('mysql2/promise')])
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 10_000 })
  try {
    return await readSchemaFingerprint(conn, database)
  } finally {
    await conn.end().catch(() => undefined)
  }
}

/** What the run record keeps of a fingerprint: its hash and how much there is (the whole goes to evidence). */
export interface FingerprintSummary {
  hash: string
  tables: number
  views: number
  triggers: number
  routines: number
  events: number
}

export function summarize(fp: SchemaFingerprint): FingerprintSummary {
  return {
    hash: fp.hash,
    tables: Object.keys(fp.tables).length,
    views: Object.keys(fp.views).length,
    triggers: Object.keys(fp.triggers).length,
    routines: Object.keys(fp.routines).length,
    events: Object.keys(fp.events).length,
  }
}
