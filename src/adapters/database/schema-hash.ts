import { closeQuietly, openConnection } from './connect.js'
import type { MysqlTarget } from './url.js'

/**
 * The schema fingerprint's hash (tables, columns, indexes, routines…) from the fingerprint
 * module, which the migrate phase also uses to tell whether a migration changed the schema.
 * Loaded by path so this module builds and runs whether or not that one is installed.
 */
export async function readFingerprintHash(target: MysqlTarget, database: string): Promise<string | null> {
  let mod: { readSchemaFingerprint?: (conn: unknown, database: string) => Promise<{ hash: string }> }
  try {
    const spec = './fingerprint.js'
    mod = await import(spec)
  } catch {
    return null
  }
  if (typeof mod.readSchemaFingerprint !== 'function') return null
  const conn = await openConnection(target)
  try {
    return (await mod.readSchemaFingerprint(conn, database)).hash
  } finally {
    await closeQuietly(conn)
  }
}
