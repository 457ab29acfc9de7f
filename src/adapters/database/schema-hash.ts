import { closeQuietly, openConnection } from './connect.js'
import { readSchemaFingerprint } from './fingerprint.js'
import type { MysqlTarget } from './url.js'

/**
 * The schema fingerprint's hash (tables, columns, indexes, routines…), the same one the migrate
 * phase compares before and after a migration, so a backup can be matched to a schema.
 */
export async function readFingerprintHash(target: MysqlTarget, database: string): Promise<string> {
  const conn = await openConnection(target)
  try {
    return (await readSchemaFingerprint(conn, database)).hash
  } finally {
    await closeQuietly(conn)
  }
}
