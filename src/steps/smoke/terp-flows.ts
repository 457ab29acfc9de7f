import { z } from 'zod'
import type { Action, Flow } from '../../adapters/browser/flow-types.js'

/**
 * The runbook's "Smoke Test Checklist" for a TERP-shaped app, as data: user can log in; dashboard
 * loads with data; create a new order; inventory list; client details; calendar events display;
 * VIP portal accessible — plus the tRPC calls that prove the API answers. Pages are found by path
 * and elements by `data-testid`; every path, test id and credential is an option with the example
 * app's value as default, so a team whose markup differs changes names, not flows.
 */

export const TERP_PATHS = {
  login: '/login',
  dashboard: '/dashboard',
  newOrder: '/orders/new',
  orders: '/orders',
  inventory: '/inventory',
  clients: '/clients',
  calendar: '/calendar',
  vipLogin: '/vip/login',
}

export const TERP_TEST_IDS = {
  loginEmail: 'login-email',
  loginPassword: 'login-password',
  loginSubmit: 'login-submit',
  dashboard: 'dashboard',
  dashboardMetric: 'dashboard-metric',
  orderClient: 'order-client',
  orderItemSku: 'order-item-sku',
  orderItemQty: 'order-item-qty',
  orderSubmit: 'order-submit',
  orderCreated: 'order-created',
  inventoryRow: 'inventory-row',
  clientLink: 'client-link',
  clientDetails: 'client-details',
  calendarEvent: 'calendar-event',
  vipEmail: 'vip-email',
  vipPassword: 'vip-password',
  vipSubmit: 'vip-submit',
  vipPortal: 'vip-portal',
  vipOrder: 'vip-order',
}

export const TERP_CREDENTIALS = {
  user: { email: 'demo@terp.example', password: 'password' },
  vip: { email: 'vip@terp.example', password: 'password' },
}

const credentials = z.strictObject({ email: z.string().min(1).optional(), password: z.string().min(1).optional() })
const optionalStrings = <K extends string>(keys: K[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, z.string().min(1).optional()])) as Record<K, z.ZodOptional<z.ZodString>>)

export const terpOptions = z.strictObject({
  user: credentials.optional().describe('Staff login (default demo@terp.example / password, the example app\'s seed). Use secret(env(...)) for real ones.'),
  vip: credentials.optional().describe('VIP client portal login.'),
  paths: optionalStrings(Object.keys(TERP_PATHS) as (keyof typeof TERP_PATHS)[]).optional().describe('Page paths of the TERP flows, by page.'),
  testIds: optionalStrings(Object.keys(TERP_TEST_IDS) as (keyof typeof TERP_TEST_IDS)[]).optional().describe('data-testid values the TERP flows look for, by element.'),
  order: z.strictObject({ client: z.string().min(1).optional(), sku: z.string().min(1).optional(), qty: z.string().min(1).optional() }).optional().describe('What the new-order flow enters: the client option to pick (its value), an item SKU and a quantity.'),
  procedures: z
    .strictObject({
      login: z.string().min(1).optional(),
      dashboard: z.string().min(1).optional(),
      orders: z.string().min(1).optional(),
      inventory: z.string().min(1).optional(),
      clients: z.string().min(1).optional(),
      calendar: z.string().min(1).optional(),
    })
    .optional()
    .describe('tRPC procedures the `trpc` step calls (paths in the router).'),
})
export type TerpOptions = z.output<typeof terpOptions>

export const TERP_PROCEDURES = {
  login: 'auth.login',
  dashboard: 'dashboard.summary',
  orders: 'orders.list',
  inventory: 'inventory.list',
  clients: 'clients.list',
  calendar: 'calendar.list',
}

export const TERP_ORDER = { client: '', sku: '', qty: '1' }

export interface ResolvedTerp {
  paths: typeof TERP_PATHS
  ids: typeof TERP_TEST_IDS
  user: { email: string; password: string }
  vip: { email: string; password: string }
  order: typeof TERP_ORDER
  procedures: typeof TERP_PROCEDURES
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>
}

export function resolveTerp(opts: TerpOptions | undefined): ResolvedTerp {
  return {
    paths: { ...TERP_PATHS, ...defined(opts?.paths) },
    ids: { ...TERP_TEST_IDS, ...defined(opts?.testIds) },
    user: { ...TERP_CREDENTIALS.user, ...defined(opts?.user) },
    vip: { ...TERP_CREDENTIALS.vip, ...defined(opts?.vip) },
    order: { ...TERP_ORDER, ...defined(opts?.order) },
    procedures: { ...TERP_PROCEDURES, ...defined(opts?.procedures) },
  }
}

/** The TERP login and flows, as the `browser` step runs them. */
export function terpFlows(opts?: TerpOptions): { logins: Record<string, Action[]>; flows: Flow[] } {
  const t = resolveTerp(opts)
  const id = (key: keyof typeof TERP_TEST_IDS) => `data-testid=${t.ids[key]}`
  const digit = { matches: '\\d' }
  const login: Action[] = [
    { goto: t.paths.login },
    { fill: id('loginEmail'), value: t.user.email },
    { fill: id('loginPassword'), value: t.user.password, secret: true },
    { click: id('loginSubmit') },
    { expectUrl: t.paths.dashboard, title: 'user can log in (lands on the dashboard)' },
  ]
  const orderSteps: Action[] = [
    { goto: t.paths.newOrder },
    t.order.client ? { select: id('orderClient'), value: t.order.client } : { expectVisible: id('orderClient') },
    ...(t.order.sku ? [{ fill: id('orderItemSku'), value: t.order.sku } as Action] : []),
    { fill: id('orderItemQty'), value: t.order.qty },
    { click: id('orderSubmit') },
    { expectVisible: id('orderCreated'), title: 'order created' },
  ]
  return {
    logins: { default: login },
    flows: [
      { name: 'dashboard', steps: [{ goto: t.paths.dashboard }, { expectVisible: id('dashboard') }, { expectText: digit, in: id('dashboardMetric'), title: 'dashboard figures show data' }] },
      { name: 'create-order', steps: orderSteps },
      { name: 'inventory', steps: [{ goto: t.paths.inventory }, { expectVisible: id('inventoryRow'), title: 'inventory list has rows' }] },
      { name: 'client-details', steps: [{ goto: t.paths.clients }, { click: id('clientLink') }, { expectVisible: id('clientDetails'), title: 'client details shown' }] },
      { name: 'calendar', steps: [{ goto: t.paths.calendar }, { expectVisible: id('calendarEvent'), title: 'calendar events display' }] },
      {
        name: 'vip-portal',
        as: false,
        steps: [
          { goto: t.paths.vipLogin },
          { fill: id('vipEmail'), value: t.vip.email },
          { fill: id('vipPassword'), value: t.vip.password, secret: true },
          { click: id('vipSubmit') },
          { expectVisible: id('vipPortal'), title: 'VIP portal accessible' },
        ],
      },
    ],
  }
}

/** The tRPC calls that prove the API answers: log in, then one read per area of the app. */
export function terpTrpc(opts?: TerpOptions): { login: { path: string; input: Record<string, string> }; calls: { path: string; type: 'query' }[] } {
  const t = resolveTerp(opts)
  const p = t.procedures
  return {
    login: { path: p.login, input: { email: t.user.email, password: t.user.password } },
    calls: [p.dashboard, p.orders, p.inventory, p.clients, p.calendar].map((path) => ({ path, type: 'query' as const })),
  }
}
