import { privilegesOn, type ParsedGrants } from '../environment/grants.js'
import { scratchGrantPattern } from './scratch-name.js'

/** The privileges a grant can give on a database's tables and objects. */
const DATABASE_PRIVILEGES = [
  'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'REFERENCES', 'INDEX', 'ALTER', 'CREATE TEMPORARY TABLES',
  'LOCK TABLES', 'EXECUTE', 'CREATE VIEW', 'SHOW VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'EVENT', 'TRIGGER',
]

/**
 * What the account lacks on a rehearsal's scratch database: CREATE and DROP (to make it and remove
 * it), and whatever it may do on the target, so that the migration meets on the copy the rights it
 * will have on the real database: a copy with fewer would fail it for a reason the real run never
 * meets. Pure: reads SHOW GRANTS as parsed. CREATE and DROP come first.
 */
export function scratchPrivilegesMissing(parsed: ParsedGrants, database: string, scratch: string): { missing: string[]; grant: (user: string) => string } {
  const onTarget = privilegesOn(parsed, database, DATABASE_PRIVILEGES).effective.filter((p) => DATABASE_PRIVILEGES.includes(p))
  const needed = [...new Set(['CREATE', 'DROP', ...onTarget])]
  const missing = privilegesOn(parsed, scratch, needed).missing
  return { missing, grant: (user) => `GRANT ${missing.join(', ')} ON \`${scratchGrantPattern(database)}\`.* TO ${user}` }
}
