import type { Connection } from 'mysql2/promise'
import { queryRows } from './connect.js'

/**
 * Whether the account may create views, triggers and routines for another definer (SUPER, or
 * MariaDB's SET USER, or MySQL's SET_USER_ID / SET_ANY_DEFINER). Without it, DEFINER clauses are
 * stripped during a restore and the restoring account becomes the definer.
 */
export async function canSetAnyDefiner(conn: Connection): Promise<boolean> {
  const rows = await queryRows<{ p: string }>(
    conn,
    `SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES
      WHERE GRANTEE = CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'")`,
  )
  const granted = new Set(rows.map((r) => String(r.p).toUpperCase()))
  return ['SUPER', 'SET USER', 'SET_USER_ID', 'SET_ANY_DEFINER'].some((p) => granted.has(p))
}
