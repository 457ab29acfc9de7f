import bcrypt from 'bcryptjs'
import { and, eq, isNotNull } from 'drizzle-orm'
import { clients, users } from '../db/schema.js'
import type { Store } from './store.js'

// Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
const NO_SUCH_ACCOUNT = bcrypt.hashSync('no such account', 10)

async function passwordMatches(password: string, hash: string | null | undefined): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? NO_SUCH_ACCOUNT)
  return ok && Boolean(hash)
}

/** A staff member whose email and password match, else null. */
export async function verifyStaff(store: Store, email: string, password: string): Promise<{ id: number; name: string; email: string } | null> {
  const [user] = await store.db.select({ id: users.id, name: users.name, email: users.email, hash: users.passwordHash }).from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1)
  if (!(await passwordMatches(password, user?.hash))) return null
  return { id: user!.id, name: user!.name, email: user!.email }
}

/** A client with portal access whose email and password match, else null. */
export async function verifyPortalClient(store: Store, email: string, password: string): Promise<{ id: number; name: string } | null> {
  const [client] = await store.db
    .select({ id: clients.id, name: clients.name, hash: clients.portalPasswordHash })
    .from(clients)
    .where(and(eq(clients.email, email.trim().toLowerCase()), isNotNull(clients.portalPasswordHash)))
    .limit(1)
  if (!(await passwordMatches(password, client?.hash))) return null
  return { id: client!.id, name: client!.name }
}
