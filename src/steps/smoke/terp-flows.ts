import { z } from 'zod'
import type { Action, Flow } from '../../adapters/browser/flow-types.js'

/**
 * TERP's smoke test checklist as data: user can log in; dashboard loads with
 * data; create a new order; orders, inventory, clients; calendar; VIP portal accessible — plus the
 * tRPC calls that prove the API answers. Paths, selectors and procedures are TERP's own (its login
 * page's `#username`, tRPC under `/api/trpc` with superjson, `POST /api/auth/login`); each is an
 * option, so a team whose markup differs changes names, not flows.
 *
 * TERP locks an account after 10 failed logins in 15 minutes, so the smoke tests log in once per
 * pass over the API and share that session (see session.ts); a failed login is never retried.
 */

export const TERP_PATHS = {
  login: '/login',
  /** Where a logged-in user lands: `/` or this. */
  dashboard: '/dashboard',
  /** Redirects to the create-order tab of the sales page. */
  newOrder: '/orders/new',
  orders: '/sales',
  inventory: '/inventory',
  /** Redirects to /relationships. */
  clients: '/clients',
  calendar: '/calendar',
  vipLogin: '/vip-portal/login',
  /** The JSON login the API and the smoke session use. */
  apiLogin: '/api/auth/login',
}

/** Playwright selectors. */
export const TERP_SELECTORS = {
  loginUsername: '#username',
  loginPassword: '#password',
  loginSubmit: 'button[type=submit]',
  orderClient: 'data-testid=client-select',
  ordersTable: 'data-testid=orders-table',
  orderRow: '[data-testid^="order-row-"]',
  clientRow: '[data-testid^="client-row-"]',
  vipEmail: '#email',
  vipPassword: '#password',
}

/** Texts the pages show; matched whatever their case (TERP upper-cases some of them with CSS). */
export const TERP_TEXTS = {
  dashboard: 'Open Orders',
  newOrder: 'Create Sales Order',
  calendar: 'Create Event',
}

export const TERP_PROCEDURES = {
  health: 'health.checkDetailed',
  dashboard: 'dashboard.getKpis',
  orders: 'orders.getAll',
  inventory: 'inventory.list',
  clients: 'clients.list',
  calendar: 'calendar.getMyEvents',
}

export const TERP_SESSION_COOKIE = 'terp_session'
export const TERP_TRPC_ENDPOINT = '/api/trpc'
/** A cold TERP can take over 30 s to serve its first page. */
export const TERP_NAVIGATION_TIMEOUT_MS = 60_000

const text = z.string().min(1)
const optionalStrings = <K extends string>(keys: K[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, text.optional()])) as Record<K, z.ZodOptional<z.ZodString>>)

export const terpOptions = z.strictObject({
  user: z.strictObject({ username: text.optional(), password: text.optional() }).optional().describe('The staff account the smoke tests log in as (TERP\'s INITIAL_ADMIN_USERNAME, or a smoke-test user). Use secret(env(...)).'),
  paths: optionalStrings(Object.keys(TERP_PATHS) as (keyof typeof TERP_PATHS)[]).optional().describe('Page paths of the TERP flows, by page.'),
  selectors: optionalStrings(Object.keys(TERP_SELECTORS) as (keyof typeof TERP_SELECTORS)[]).optional().describe('Playwright selectors the TERP flows use, by element.'),
  texts: optionalStrings(Object.keys(TERP_TEXTS) as (keyof typeof TERP_TEXTS)[]).optional().describe('Texts the TERP flows expect on their pages, by page.'),
  order: z
    .strictObject({
      client: text.optional(),
      fill: z.record(z.string().min(1), z.string()).optional(),
      submit: text,
      created: text,
    })
    .optional()
    .describe('Place an order in the create-order flow (it writes to the staging database): the form\'s fields to fill (selector → value), the submit button, and what shows once the order exists. Without it the flow only opens the form.'),
  procedures: optionalStrings(Object.keys(TERP_PROCEDURES) as (keyof typeof TERP_PROCEDURES)[]).optional().describe('tRPC procedures the `trpc` step calls (paths in the router).'),
  sessionCookie: text.optional().describe('The cookie the login must set (default terp_session).'),
})
export type TerpOptions = z.output<typeof terpOptions>

export interface ResolvedTerp {
  paths: typeof TERP_PATHS
  selectors: typeof TERP_SELECTORS
  texts: typeof TERP_TEXTS
  procedures: typeof TERP_PROCEDURES
  user: { username?: string; password?: string }
  order?: NonNullable<TerpOptions['order']>
  sessionCookie: string
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>
}

export function resolveTerp(opts: TerpOptions | undefined): ResolvedTerp {
  return {
    paths: { ...TERP_PATHS, ...defined(opts?.paths) },
    selectors: { ...TERP_SELECTORS, ...defined(opts?.selectors) },
    texts: { ...TERP_TEXTS, ...defined(opts?.texts) },
    procedures: { ...TERP_PROCEDURES, ...defined(opts?.procedures) },
    user: defined(opts?.user),
    ...(opts?.order ? { order: opts.order } : {}),
    sessionCookie: opts?.sessionCookie ?? TERP_SESSION_COOKIE,
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A regular expression matching `words` in any case, spaces as any whitespace ("Open Orders" shown as OPEN ORDERS). */
export function anyCase(words: string): { matches: string } {
  const source = [...words.trim()]
    .map((ch) => (/\s/.test(ch) ? '\\s+' : ch.toLowerCase() !== ch.toUpperCase() ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : escapeRegex(ch)))
    .join('')
    .replace(/(\\s\+)+/g, '\\s+')
  return { matches: source }
}

/** A URL whose path is exactly `path` (trailing slash, query and fragment allowed). */
function pathIs(path: string, query?: string): { matches: string } {
  const p = path === '/' ? '/' : `${escapeRegex(path.replace(/\/+$/, ''))}/?`
  return { matches: `^https?://[^/]+${p}${query ? `\\?(?:[^#]*&)?${escapeRegex(query)}(?:[&#].*)?$` : '(?:[?#].*)?$'}` }
}

/** The login every flow but the public ones starts from: the session of the pass's one login (session.ts). */
export const TERP_LOGIN = 'default'

/**
 * The TERP flows, as the `browser` step runs them. Every flow but the login page and the VIP portal
 * starts logged in with the pass's shared session; none of them submits a login form.
 */
export function terpFlows(opts?: TerpOptions): Flow[] {
  const t = resolveTerp(opts)
  const s = t.selectors
  const dashboardOrHome = { matches: `^https?://[^/]+/(?:${escapeRegex(t.paths.dashboard.replace(/^\/+|\/+$/g, ''))}/?)?(?:[?#].*)?$` }
  const order: Action[] = [
    { goto: t.paths.newOrder },
    { expectUrl: pathIs('/sales', 'tab=create-order'), title: 'the new-order page opens the create-order tab of /sales' },
    { expectText: anyCase(t.texts.newOrder), title: `form "${t.texts.newOrder}" shown` },
    { expectVisible: s.orderClient, title: 'client picker shown' },
  ]
  if (t.order) {
    if (t.order.client) order.push({ select: s.orderClient, value: t.order.client })
    for (const [selector, value] of Object.entries(t.order.fill ?? {})) order.push({ fill: selector, value })
    order.push({ click: t.order.submit }, { expectVisible: t.order.created, title: 'order created' })
  }
  return [
    {
      name: 'login-page',
      as: false,
      steps: [
        { goto: t.paths.login },
        { expectVisible: s.loginUsername },
        { expectVisible: s.loginPassword },
        { expectVisible: s.loginSubmit, title: 'login form shown (not submitted: the login is the pass\'s one API login)' },
      ],
    },
    {
      name: 'dashboard',
      as: TERP_LOGIN,
      steps: [
        { goto: '/' },
        { expectUrl: dashboardOrHome, title: `user is logged in (lands on / or ${t.paths.dashboard})` },
        { goto: t.paths.dashboard },
        { expectText: anyCase(t.texts.dashboard), title: `dashboard shows "${t.texts.dashboard}"` },
      ],
    },
    { name: 'create-order', as: TERP_LOGIN, steps: order },
    { name: 'orders', as: TERP_LOGIN, steps: [{ goto: t.paths.orders }, { expectVisible: s.ordersTable }, { expectVisible: s.orderRow, title: 'orders list has rows' }] },
    { name: 'inventory', as: TERP_LOGIN, steps: [{ goto: t.paths.inventory }, { expectText: { matches: '\\d[\\d,]*\\s+[Bb][Aa][Tt][Cc][Hh]' }, title: 'inventory shows "N batches"' }] },
    {
      name: 'clients',
      as: TERP_LOGIN,
      steps: [{ goto: t.paths.clients }, { expectUrl: pathIs('/relationships'), title: 'clients open /relationships' }, { expectVisible: s.clientRow, title: 'client list has rows' }],
    },
    { name: 'calendar', as: TERP_LOGIN, steps: [{ goto: t.paths.calendar }, { expectText: anyCase(t.texts.calendar), title: `calendar shows "${t.texts.calendar}"` }] },
    { name: 'vip-portal', as: false, steps: [{ goto: t.paths.vipLogin }, { expectVisible: s.vipEmail }, { expectVisible: s.vipPassword, title: 'VIP portal login shown' }] },
  ]
}

export interface TerpCall {
  path: string
  type: 'query'
  input?: unknown
  anonymous?: boolean
  expectError?: { code: string }
  expectData?: Record<string, string>
}

/** The tRPC calls that prove the API answers: the detailed health check refused anonymously and healthy as admin, then one read per area. */
export function terpTrpc(opts?: TerpOptions): TerpCall[] {
  const p = resolveTerp(opts).procedures
  return [
    { path: p.health, type: 'query', anonymous: true, expectError: { code: 'FORBIDDEN' } },
    { path: p.health, type: 'query', expectData: { status: 'healthy' } },
    { path: p.dashboard, type: 'query' },
    { path: p.orders, type: 'query' },
    { path: p.inventory, type: 'query' },
    { path: p.clients, type: 'query', input: {} },
    { path: p.calendar, type: 'query' },
  ]
}

/**
 * The `terp` preset: what `preset: 'terp'` puts under an environment's own settings (which win key
 * by key). Plain data, so `rollout init` can write it out.
 */
export function terpEnvironment(): Record<string, unknown> {
  return {
    // /health answers healthy even without the schema: /health/ready is the one that knows.
    health: { paths: ['/health/ready', '/health/live'], ready: '/health/ready' },
    preflight: { unitTests: 'pnpm test:unit', schemaValidation: 'pnpm validate:schema' },
    smoke: {
      flows: 'terp',
      navigationTimeoutMs: TERP_NAVIGATION_TIMEOUT_MS,
      trpc: { endpoint: TERP_TRPC_ENDPOINT, transformer: 'superjson' },
    },
    steps: {
      'wait-live': { options: { path: '/version.json', field: 'commit' } },
      // validate:schema exits 1 on any finding, and on MariaDB it reports hundreds that are long known
      // (JSON columns stored as LONGTEXT): the gate compares its report with a baseline instead.
      'schema-validation': { options: { report: { file: 'schema-validation-report.json' } } },
    },
  }
}
