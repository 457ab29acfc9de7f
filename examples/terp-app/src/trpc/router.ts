import { TRPCError } from '@trpc/server'
import { z } from 'zod'
import { checkDatabase } from '../http/health.js'
import { listEvents } from '../services/calendar.js'
import { listClients } from '../services/clients.js'
import { dashboardSummary } from '../services/dashboard.js'
import { listInventory } from '../services/inventory.js'
import { createOrder, listOrders, PRIORITIES } from '../services/orders.js'
import { InputError } from '../services/store.js'
import { adminProcedure, router, staffProcedure } from './init.js'

const page = z.object({ limit: z.number().int().min(1).max(500).default(50), offset: z.number().int().min(0).default(0) }).optional()

/** Input mistakes reach the caller as BAD_REQUEST; anything else stays a server error. */
async function asInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof InputError) throw new TRPCError({ code: 'BAD_REQUEST', message: error.message })
    throw error
  }
}

/** TERP's procedure names; logging in is POST /api/auth/login, outside tRPC. */
export const appRouter = router({
  auth: router({
    me: staffProcedure.query(({ ctx }) => ({ id: ctx.staff.id, name: ctx.staff.name })),
  }),
  health: router({
    checkDetailed: adminProcedure.query(async ({ ctx }) => {
      const database = await checkDatabase(ctx.pool)
      return { status: database.status, checks: { database } }
    }),
  }),
  dashboard: router({
    getKpis: staffProcedure.query(({ ctx }) => dashboardSummary(ctx.store)),
  }),
  orders: router({
    getAll: staffProcedure.input(page).query(({ ctx, input }) => listOrders(ctx.store, input)),
    create: staffProcedure
      .input(
        z.object({
          clientId: z.number().int().positive(),
          items: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().min(1).max(999) })).min(1),
          priority: z.enum(PRIORITIES).optional(),
        }),
      )
      .mutation(({ ctx, input }) => asInput(() => createOrder(ctx.store, input, ctx.staff.id))),
  }),
  inventory: router({
    list: staffProcedure.input(z.object({ search: z.string().optional(), limit: z.number().int().min(1).max(500).default(100), offset: z.number().int().min(0).default(0) }).optional()).query(({ ctx, input }) => listInventory(ctx.store, input)),
  }),
  clients: router({
    list: staffProcedure.input(z.object({}).optional()).query(({ ctx }) => listClients(ctx.store)),
  }),
  calendar: router({
    getMyEvents: staffProcedure.query(({ ctx }) => listEvents(ctx.store)),
  }),
})

export type AppRouter = typeof appRouter
