import { initTRPC, TRPCError } from '@trpc/server'
import superjson from 'superjson'
import type { Pool } from 'mysql2'
import type { Session } from '../http/session.js'
import type { Store } from '../services/store.js'

export interface TrpcContext {
  store: Store
  /** The staff session from the request's cookie, if any. */
  staff: Session | null
  /** The database pool, for the detailed health check. */
  pool: Pool
}

// superjson, as TERP's router: Dates stay Dates on the wire. No stack traces in answers.
const t = initTRPC.context<TrpcContext>().create({ transformer: superjson, isDev: false })

export const router = t.router
export const publicProcedure = t.procedure

/** Reads need a logged-in staff member (the cookie of POST /api/auth/login or of the /login form). */
export const staffProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.staff) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first (POST /api/auth/login)' })
  return next({ ctx: { ...ctx, staff: ctx.staff } })
})

/** Admin-only answers (the detailed health check): refused as FORBIDDEN to anyone not logged in. */
export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.staff) throw new TRPCError({ code: 'FORBIDDEN', message: 'admins only' })
  return next({ ctx: { ...ctx, staff: ctx.staff } })
})
