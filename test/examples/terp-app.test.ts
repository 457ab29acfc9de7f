import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import mysql from 'mysql2/promise'
import superjson from 'superjson'
import { seed } from '../../examples/terp-app/src/seed.js'
import { freePort } from '../../src/adapters/net/free-port.js'
import { tempDir } from '../support/cli.js'
import { createTestDatabase } from '../support/mysql.js'
import { build, byTestId, Client, HOST, makeTls, runInRelease, startApp, type RunningApp, type Tls } from './terp-app-harness.js'

/*
 * One database goes through the releases in the order the demo deploys them: v1 built, migrated,
 * seeded and served over HTTPS; then v2 migrated on top of it; then v3-broken. Tests run in order.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>
let tls: Tls
let logFile: string
let conn: mysql.Connection
const started: RunningApp[] = []
const SECRET = 'session-secret-for-tests-1234567890'

before(async () => {
  database = await createTestDatabase('terp')
  conn = await mysql.createConnection(database.url)
  tls = makeTls()
  logFile = path.join(tempDir('terp-log-'), 'app.log')
})
after(async () => {
  await Promise.all(started.map((a) => a.stop()))
  await conn?.end()
  await database?.drop()
})

async function serve(dir: string, extra: Record<string, string> = {}): Promise<RunningApp> {
  const app = await startApp(dir, {
    DATABASE_URL: database.url,
    TLS_CERT_FILE: tls.certFile,
    TLS_KEY_FILE: tls.keyFile,
    ALLOWED_HOSTS: HOST,
    LOG_FILE: logFile,
    SESSION_SECRET: SECRET,
    ...extra,
  })
  started.push(app)
  return app
}

async function one<T>(query: string, params: unknown[] = []): Promise<T> {
  const [rows] = await conn.query(query, params)
  return (rows as T[])[0]!
}

/** A tRPC error answer, superjson-encoded as the router sends it. */
function trpcError(body: string): { message: string; data: { code: string; httpStatus: number } } {
  return superjson.deserialize(JSON.parse(body).error)
}

function logLines(): Record<string, unknown>[] {
  return readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
}

let v1: RunningApp

test('v1: built into its own folder, migrated (saying what it applied), seeded, and served over HTTPS', async () => {
  const dir = build('v1')
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).type, 'module')
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'release.json'), 'utf8')).id, 'v1')

  const files = await runInRelease(dir, 'src/migrate.ts', ['--check-files'], {})
  assert.equal(files.code, 0, files.stderr)
  const migrated = await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: database.url })
  assert.equal(migrated.code, 0, migrated.stderr)
  assert.match(migrated.stdout, /^applied 0000_initial \(\d+ statements\)$/m)
  const again = await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: database.url })
  assert.match(again.stdout, /nothing to apply: the database is at 0000_initial/)

  const report = await seed({ url: database.url, volume: 'small' })
  assert.equal((await one<{ n: number }>('SELECT COUNT(*) AS n FROM orders')).n, report.rows.orders)
  assert.ok(report.rows.order_lines > report.rows.orders, 'orders have several lines')
  await assert.rejects(seed({ url: database.url, volume: 'small' }), /already holds \d+ clients/, 'a filled database is not seeded twice by accident')

  const check = await runInRelease(dir, 'src/migrate.ts', ['--check'], { DATABASE_URL: database.url })
  assert.equal(check.code, 0, check.stderr)
  assert.match(check.stdout, /the database matches release v1/)

  v1 = await serve(dir)
  assert.match(v1.url, /^https:\/\/staging\.terp-app\.local:\d+$/)
})

test('health: JSON with the database check and the release; live, ready, /version.json with the release under commit; no /api/health (as TERP)', async () => {
  const c = new Client(v1, tls.ca)
  for (const p of ['/health']) {
    const res = await c.request(p)
    assert.equal(res.status, 200, p)
    const body = JSON.parse(res.body)
    assert.equal(body.status, 'healthy')
    assert.equal(body.checks.database.status, 'healthy')
    assert.equal(typeof body.checks.database.latencyMs, 'number')
    assert.equal(body.release, 'v1')
  }
  assert.equal((await c.request('/health/live')).status, 200)
  assert.equal(JSON.parse((await c.request('/health/ready')).body).status, 'ready')
  const version = JSON.parse((await c.request('/version.json')).body)
  assert.equal(version.commit, 'v1')
  assert.equal(version.release, 'v1')
  assert.equal((await c.request('/api/health')).status, 404)
})

test('HTTPS answers carry HSTS for a year with subdomains, and the certificate is the staging name\'s', async () => {
  const res = await new Client(v1, tls.ca).request('/health/live')
  assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
  assert.equal(res.tls?.authorized, true)
})

test('host guard: a foreign Host header or the bare IP gets 421 with a short text; the staging name is served', async () => {
  const c = new Client(v1, tls.ca)
  for (const host of ['evil.example', '127.0.0.1', `127.0.0.1:${v1.port}`]) {
    const res = await c.request('/health', { headers: { host } })
    assert.equal(res.status, 421, host)
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/)
    assert.match(res.body, /does not serve the host/)
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', 'refusals over HTTPS carry HSTS too')
  }
  assert.equal((await c.request('/health', { headers: { host: `${HOST}:${v1.port}` } })).status, 200)
})

test('the database unreachable: /health and /health/ready answer 503 naming the cause, /health/live still 200 (plain HTTP, no HSTS)', async () => {
  const closed = await freePort()
  const app = await startApp(build('v1'), { DATABASE_URL: `mysql://root:pw@127.0.0.1:${closed}/nowhere`, LOG_FILE: path.join(tempDir('terp-down-'), 'app.log') })
  started.push(app)
  const c = new Client(app)
  const health = await c.request('/health')
  assert.equal(health.status, 503)
  const body = JSON.parse(health.body)
  assert.equal(body.status, 'unhealthy')
  assert.equal(body.checks.database.status, 'unhealthy')
  assert.match(body.checks.database.error, /ECONNREFUSED/)
  assert.equal((await c.request('/health/ready')).status, 503)
  const live = await c.request('/health/live')
  assert.equal(live.status, 200)
  assert.equal(live.headers['strict-transport-security'], undefined)
  await app.stop()
})

test('pages: a staff page without a session sends to the login; a wrong password is refused', async () => {
  const c = new Client(v1, tls.ca)
  const res = await c.request('/dashboard')
  assert.equal(res.status, 303)
  assert.equal(res.headers.location, '/login?next=%2Fdashboard')
  const wrong = await c.request('/login', { form: { username: 'demo@terp.example', password: 'nope' } })
  assert.equal(wrong.status, 401)
  assert.match(wrong.body, /Wrong username or password/)
  const wrongApi = await c.request('/api/auth/login', { json: { username: 'demo@terp.example', password: 'nope' } })
  assert.equal(wrongApi.status, 401)
  assert.deepEqual(c.jar.names(), [])

  // After the login the user is back where they were sent from, but never on another site.
  assert.equal((await c.request('/login', { form: { username: 'demo@terp.example', password: 'password', next: '/clients' } })).headers.location, '/clients')
  for (const next of ['//evil.example/', '/\\evil.example/', 'https://evil.example/']) {
    assert.equal((await c.request('/login', { form: { username: 'demo@terp.example', password: 'password', next } })).headers.location, '/dashboard', next)
  }
})

test('login, dashboard figures from the database, and an order placed through the form', async () => {
  const c = new Client(v1, tls.ca)
  const loginPage = await c.request('/login')
  for (const field of ['id="username"', 'id="password"', 'type="submit"']) assert.ok(loginPage.body.includes(field), field)
  const login = await c.request('/login', { form: { username: 'demo@terp.example', password: 'password' } })
  assert.equal(login.status, 303)
  assert.equal(login.headers.location, '/dashboard')
  assert.match(login.headers['set-cookie'] ?? '', /terp_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure/)

  const dashboard = await c.request('/dashboard')
  assert.equal(dashboard.status, 200)
  assert.equal(byTestId(dashboard.body, 'dashboard').length, 1)
  const metrics = byTestId(dashboard.body, 'dashboard-metric')
  const orders = (await one<{ n: number }>('SELECT COUNT(*) AS n FROM orders')).n
  assert.ok(metrics.includes(`Orders ${orders.toLocaleString('en-US')}`), `the order count is the database's (${metrics.join(' | ')})`)
  assert.ok(metrics.every((m) => /\d/.test(m)))
  assert.ok(metrics.some((m) => m.startsWith('Open Orders ')), 'the Open Orders figure (upper-cased by CSS)')
  assert.match(dashboard.body, /\.metric \.label\{text-transform:uppercase/)

  const newOrder = await c.request('/orders/new')
  assert.equal(newOrder.status, 302)
  assert.equal(newOrder.headers.location, '/sales?tab=create-order')
  const form = await c.request('/sales?tab=create-order')
  assert.match(form.body, /<h1>Create Sales Order<\/h1>/)
  assert.match(form.body, /data-testid="client-select"/)
  const client = /<option value="(\d+)" selected>/.exec(form.body)?.[1]
  const sku = /data-testid="order-item-sku"/.test(form.body) ? /id="sku" name="sku" required value="([^"]+)"/.exec(form.body)?.[1] : undefined
  assert.ok(client && sku, 'a client is preselected and an SKU prefilled')
  const stockBefore = (await one<{ stock: number }>('SELECT stock FROM products WHERE sku = ?', [sku])).stock

  const placed = await c.request('/orders', { form: { clientId: client, sku, qty: '2' } })
  assert.equal(placed.status, 303)
  const id = Number(/^\/orders\/(\d+)\?created=1$/.exec(placed.headers.location ?? '')?.[1])
  const page = await c.request(placed.headers.location!)
  assert.equal(page.status, 200)
  assert.deepEqual(byTestId(page.body, 'order-created'), [`Order #${id} created.`])
  const row = await one<{ client_id: number; total_cents: number }>('SELECT client_id, total_cents FROM orders WHERE id = ?', [id])
  const line = await one<{ qty: number; unit_price_cents: number }>('SELECT qty, unit_price_cents FROM order_lines WHERE order_id = ?', [id])
  assert.equal(row.client_id, Number(client))
  assert.equal(line.qty, 2)
  assert.equal(row.total_cents, 2 * line.unit_price_cents)
  assert.equal((await one<{ stock: number }>('SELECT stock FROM products WHERE sku = ?', [sku])).stock, Math.max(stockBefore - 2, 0))

  const bad = await c.request('/orders', { form: { clientId: client!, sku: 'SKU-NOPE', qty: '1' } })
  assert.equal(bad.status, 400)
  assert.match(bad.body, /unknown SKU: SKU-NOPE/)
})

test('the other pages the smoke flows visit: orders list, inventory batches, clients under /relationships, calendar', async () => {
  const c = new Client(v1, tls.ca)
  await c.logIn()
  const sales = (await c.request('/sales')).body
  assert.equal(byTestId(sales, 'orders-table').length, 1)
  assert.ok(/data-testid="order-row-\d+"/.test(sales))
  assert.equal((await c.request('/orders')).headers.location, '/sales')
  const inventory = (await c.request('/inventory')).body
  assert.ok(byTestId(inventory, 'inventory-row').length > 10)
  assert.match(inventory, /\d+ batches/)
  const redirect = await c.request('/clients')
  assert.equal(redirect.status, 302)
  assert.equal(redirect.headers.location, '/relationships')
  const clients = (await c.request('/relationships')).body
  assert.ok(/data-testid="client-row-\d+"/.test(clients))
  const link = /<a href="(\/clients\/\d+)" data-testid="client-link">/.exec(clients)?.[1]
  assert.ok(link)
  const details = await c.request(link)
  assert.equal(details.status, 200)
  assert.match(byTestId(details.body, 'client-details')[0] ?? '', /Orders: \d+/)
  const calendar = (await c.request('/calendar')).body
  assert.ok(byTestId(calendar, 'calendar-event').length > 0)
  assert.match(calendar, />Create Event</)
  assert.equal((await c.request('/clients/999999')).status, 404)
})

test('VIP portal: its own login, and the client sees its own orders only', async () => {
  const c = new Client(v1, tls.ca)
  assert.equal((await c.request('/vip-portal')).headers.location, '/vip-portal/login')
  const form = (await c.request('/vip-portal/login')).body
  for (const field of ['id="email"', 'id="password"']) assert.ok(form.includes(field), field)
  const login = await c.request('/vip-portal/login', { form: { email: 'vip@terp.example', password: 'password' } })
  assert.equal(login.status, 303)
  assert.equal(login.headers.location, '/vip-portal')
  const portal = await c.request('/vip-portal')
  assert.equal(byTestId(portal.body, 'vip-portal').length, 1)
  const shown = byTestId(portal.body, 'vip-order').map((t) => Number(/^#(\d+)/.exec(t)?.[1]))
  const [own] = await conn.query("SELECT o.id FROM orders o JOIN clients c ON c.id = o.client_id WHERE c.email = 'vip@terp.example' ORDER BY o.placed_at DESC, o.id DESC LIMIT 50")
  assert.ok(shown.length > 0)
  assert.deepEqual(shown, (own as { id: number }[]).map((r) => r.id))
  assert.equal((await c.request('/dashboard')).status, 303, 'a portal login is not a staff login')
})

test('tRPC under /api/trpc: POST /api/auth/login sets terp_session; reads answer in one batch, superjson-encoded; without a session refused', async () => {
  const c = new Client(v1, tls.ca)
  const refused = await c.request('/api/trpc/dashboard.getKpis')
  assert.equal(refused.status, 401)
  assert.equal(trpcError(refused.body).data.code, 'UNAUTHORIZED')
  const health = await c.request('/api/trpc/health.checkDetailed')
  assert.equal(health.status, 403)
  assert.equal(trpcError(health.body).data.code, 'FORBIDDEN')

  const login = await c.request('/api/auth/login', { json: { username: 'demo@terp.example', password: 'password' } })
  assert.equal(login.status, 200, login.body)
  assert.equal((JSON.parse(login.body) as { user: { email: string } }).user.email, 'demo@terp.example')
  assert.deepEqual(c.jar.names(), ['terp_session'])
  const detailed = await c.request('/api/trpc/health.checkDetailed')
  assert.equal(detailed.status, 200, detailed.body)
  assert.equal(superjson.deserialize<{ status: string }>(JSON.parse(detailed.body).result.data).status, 'healthy')

  const paths = ['dashboard.getKpis', 'orders.getAll', 'inventory.list', 'clients.list', 'calendar.getMyEvents']
  const input = encodeURIComponent(JSON.stringify({ 1: { json: { limit: 5 } }, 3: { json: {} } }))
  const batch = await c.request(`/api/trpc/${paths.join(',')}?batch=1&input=${input}`)
  assert.equal(batch.status, 200, batch.body)
  const results = JSON.parse(batch.body) as { result: { data: { json: unknown; meta?: unknown } } }[]
  assert.equal(results.length, paths.length)
  const summary = results[0]!.result.data
  assert.deepEqual(summary.meta, { values: { generatedAt: ['Date'] }, v: 1 }, 'Dates travel as superjson Dates')
  const decoded = superjson.deserialize<{ orders: number; generatedAt: Date }>(summary as never)
  assert.ok(decoded.generatedAt instanceof Date)
  assert.equal(decoded.orders, (await one<{ n: number }>('SELECT COUNT(*) AS n FROM orders')).n)
  assert.equal(superjson.deserialize<{ items: unknown[] }>(results[1]!.result.data as never).items.length, 5)

  const created = await c.request('/api/trpc/orders.create', { json: { json: { clientId: 2, items: [{ sku: 'SKU-10001', qty: 1 }] } } })
  assert.equal(created.status, 200, created.body)
  const { id } = superjson.deserialize<{ id: number }>(JSON.parse(created.body).result.data)
  assert.equal((await one<{ n: number }>('SELECT COUNT(*) AS n FROM order_lines WHERE order_id = ?', [id])).n, 1)
  const invalid = await c.request('/api/trpc/orders.create', { json: { json: { clientId: 2, items: [{ sku: 'NOPE', qty: 1 }] } } })
  assert.equal(invalid.status, 400)
  assert.doesNotMatch(invalid.body, /"stack"/, 'no stack traces in answers')
})

test('the log file: one JSON line per request (method, path, status, ms), never the query string or a secret', () => {
  const lines = logLines()
  const requests = lines.filter((l) => l.msg === 'request')
  assert.ok(requests.length > 20)
  for (const l of lines) {
    assert.ok(!Number.isNaN(Date.parse(l.time as string)))
    assert.ok(['info', 'warn', 'error'].includes(l.level as string))
  }
  assert.ok(requests.some((l) => l.method === 'POST' && l.path === '/orders' && l.status === 303 && typeof l.ms === 'number' && l.level === 'info'))
  assert.ok(requests.some((l) => l.path === '/health' && l.status === 421 && l.level === 'warn'))
  const text = readFileSync(logFile, 'utf8')
  assert.equal(text.includes('batch=1'), false)
  assert.equal(text.includes(SECRET), false)
  assert.equal(/"password"|password=/.test(text), false)
})

test('a migration that fails exits non-zero with the database\'s reason; no DATABASE_URL is a usage error', async () => {
  const drifted = await createTestDatabase('terpx')
  try {
    const c = await mysql.createConnection(drifted.url)
    await c.query('CREATE TABLE users (id int primary key)')
    await c.end()
    const dir = build('v1')
    const failed = await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: drifted.url })
    assert.equal(failed.code, 1)
    assert.match(failed.stderr, /^migration failed: Table 'users' already exists \(in: CREATE TABLE `users` \(\)$/m)
    const check = await runInRelease(dir, 'src/migrate.ts', ['--check'], { DATABASE_URL: drifted.url })
    assert.equal(check.code, 1)
    assert.match(check.stderr, /migration 0000_initial has not been applied/)
    assert.match(check.stderr, /column users\.email is missing/)
    assert.equal((await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: '' })).code, 2)
  } finally {
    await drifted.drop()
  }
})

let v2: RunningApp

test('v2 migrates on top of v1: the new column and table, backfilled; its order page shows the notes and takes new ones', async () => {
  const dir = build('v2')
  const migrated = await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: database.url })
  assert.equal(migrated.code, 0, migrated.stderr)
  assert.match(migrated.stdout, /^applied 0001_order_priority_notes/m)
  assert.doesNotMatch(migrated.stdout, /applied 0000/)
  assert.equal((await runInRelease(dir, 'src/migrate.ts', ['--check'], { DATABASE_URL: database.url })).code, 0)

  v2 = await serve(dir)
  const c = new Client(v2, tls.ca)
  await c.logIn()
  const noted = await one<{ order_id: number; body: string }>('SELECT order_id, body FROM order_notes ORDER BY id LIMIT 1')
  assert.ok(noted, 'the migration gave the VIP client\'s open orders a note')
  const page = await c.request(`/orders/${noted.order_id}`)
  assert.deepEqual(byTestId(page.body, 'order-note').map((n) => n.split(' Account team')[0]), [noted.body])
  assert.equal(byTestId(page.body, 'order-priority-value')[0], 'high')

  const added = await c.request(`/orders/${noted.order_id}/notes`, { form: { body: 'Call before delivery.' } })
  assert.equal(added.status, 303)
  const after = byTestId((await c.request(`/orders/${noted.order_id}`)).body, 'order-note')
  assert.equal(after.length, 2)
  assert.match(after[1]!, /^Call before delivery\. Demo User, /)
  assert.match((await c.request('/sales')).body, /<th>Priority<\/th>/)
  assert.equal(JSON.parse((await c.request('/version.json')).body).commit, 'v2')

  // v1's code on v2's schema keeps working (the old release serves during the deploy).
  const old = new Client(v1, tls.ca)
  await old.logIn()
  assert.equal((await old.request('/orders', { form: { clientId: '2', sku: 'SKU-10002', qty: '1' } })).status, 303)
})

test('v3-broken: its migration alters order_lines; creating an order fails with 500 on the page and in orders.create, the rest answers', async () => {
  const dir = build('v3-broken')
  const migrated = await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: database.url })
  assert.equal(migrated.code, 0, migrated.stderr)
  assert.match(migrated.stdout, /^applied 0002_line_discounts/m)
  const column = await one<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'order_lines' AND column_name = 'discount_cents'")
  assert.equal(column.n, 1)
  assert.ok((await one<{ n: number }>('SELECT COUNT(*) AS n FROM order_lines WHERE discount_cents > 0')).n > 0, 'existing lines were backfilled')

  const v3 = await serve(dir)
  const c = new Client(v3, tls.ca)
  await c.logIn()
  const ordersBefore = (await one<{ n: number }>('SELECT COUNT(*) AS n FROM orders')).n
  const page = await c.request('/orders', { form: { clientId: '2', sku: 'SKU-10001', qty: '1' } })
  assert.equal(page.status, 500)
  assert.match(page.body, /could not complete this request/)
  assert.doesNotMatch(page.body, /TypeError|\.ts:\d+/, 'no internals on the error page')

  const call = await c.request('/api/trpc/orders.create', { json: { json: { clientId: 2, items: [{ sku: 'SKU-10001', qty: 1 }] } } })
  assert.equal(call.status, 500)
  assert.equal(trpcError(call.body).data.code, 'INTERNAL_SERVER_ERROR')
  assert.equal((await one<{ n: number }>('SELECT COUNT(*) AS n FROM orders')).n, ordersBefore, 'nothing half-written')

  for (const p of ['/dashboard', '/sales', '/sales?tab=create-order', '/inventory', '/relationships', '/calendar', '/health', '/health/ready']) assert.equal((await c.request(p)).status, 200, p)
  const errors = logLines().filter((l) => l.level === 'error')
  assert.ok(errors.some((l) => l.path === '/orders' && l.status === 500 && /Cannot read properties of undefined/.test(l.error as string)), 'the failure is logged as an error with its cause')
  assert.ok(errors.some((l) => l.path === '/api/trpc/orders.create' && l.status === 500))
})
