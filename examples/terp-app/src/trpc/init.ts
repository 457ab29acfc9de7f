import { initTRPC, TRPCError } from '@trpc/server'
import superjson from 'superjson'
import type { Session } from '../http/session.js'
import type { Store } from '../services/store.js'

export interface TrpcContext {
  store: Store
  /** The staff session from the request's cookie, if any. */
  staff: Session | null
  /** Starts a staff session: sets its cookie on the response. */
  startSession(session: Omit<Session, 'exp'>): void
}

// superjson, as TERP's router: Dates stay Dates on the wire. No stack traces in answers.
const t = initTRPC.context<TrpcContext>().create({ transformer: superjson, isDev: false })

export const router = t.router
export const publicProcedure = t.procedure

/** Reads need a logged-in staff member (auth.login, or the /login form's cookie). */
export const staffProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.staff) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first (auth.login)' })
  return next({ ctx: { ...ctx, staff: ctx.staff } })
})
