import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyPreset, mergeUnder } from '../../../src/config/presets.js'
import { environmentSchema } from '../../../src/config/schema.js'
import { defaultPlan } from '../../../src/plan/default-plan.js'
import { anyCase, terpEnvironment, terpFlows, terpTrpc } from '../../../src/steps/smoke/terp-flows.js'
import { browserPlan } from '../../../src/steps/smoke/browser.js'

test('anyCase matches the words as the page shows them, in any case and spacing, and nothing else', () => {
  const re = new RegExp(anyCase('Open Orders').matches)
  for (const shown of ['Open Orders', 'OPEN ORDERS', 'open\n  orders']) assert.ok(re.test(shown), shown)
  assert.equal(re.test('Opened Orders'), false)
  assert.equal(new RegExp(anyCase('a.b (c)').matches).test('A.B (C)'), true)
  assert.equal(new RegExp(anyCase('a.b').matches).test('axb'), false)
})

test('the TERP flows: TERP paths and selectors, one shared login, no login form submitted', () => {
  const flows = terpFlows()
  assert.deepEqual(flows.map((f) => [f.name, f.as]), [
    ['login-page', false], ['dashboard', 'default'], ['create-order', 'default'], ['orders', 'default'],
    ['inventory', 'default'], ['clients', 'default'], ['calendar', 'default'], ['vip-portal', false],
  ])
  const all = JSON.stringify(flows)
  for (const expected of ['#username', 'button[type=submit]', '/vip-portal/login', 'data-testid=client-select', 'data-testid=orders-table', '[data-testid^=\\"client-row-\\"]']) assert.ok(all.includes(expected), expected)
  assert.equal(flows.some((f) => f.steps.some((s) => 'click' in s || 'fill' in s)), false, 'without order settings nothing is submitted')
  const url = flows.find((f) => f.name === 'create-order')!.steps.find((s) => 'expectUrl' in s) as { expectUrl: { matches: string } }
  assert.ok(new RegExp(url.expectUrl.matches).test('https://terp.example/sales?tab=create-order'))
  assert.ok(new RegExp(url.expectUrl.matches).test('https://terp.example/sales?x=1&tab=create-order'))
  assert.equal(new RegExp(url.expectUrl.matches).test('https://terp.example/sales?tab=list'), false)
  const landing = flows.find((f) => f.name === 'dashboard')!.steps[1] as { expectUrl: { matches: string } }
  for (const [u, ok] of [['https://t.example/', true], ['https://t.example/dashboard', true], ['https://t.example/login?next=%2F', false]] as const) assert.equal(new RegExp(landing.expectUrl.matches).test(u), ok, u)

  const placing = terpFlows({ order: { client: '2', fill: { '#qty': '1' }, submit: 'text=Create', created: 'text=Created' } }).find((f) => f.name === 'create-order')!
  assert.deepEqual(placing.steps.slice(-4), [{ select: 'data-testid=client-select', value: '2' }, { fill: '#qty', value: '1' }, { click: 'text=Create' }, { expectVisible: 'text=Created', title: 'order created' }])
})

test('the TERP tRPC calls: detailed health refused anonymously and healthy as admin, then one read per area', () => {
  assert.deepEqual(terpTrpc().map((c) => [c.path, c.anonymous ?? false, c.input]), [
    ['health.checkDetailed', true, undefined], ['health.checkDetailed', false, undefined], ['dashboard.getKpis', false, undefined],
    ['orders.getAll', false, undefined], ['inventory.list', false, undefined], ['clients.list', false, {}], ['calendar.getMyEvents', false, undefined],
  ])
  assert.deepEqual(terpTrpc()[1]!.expectData, { status: 'healthy' })
})

test("preset 'terp': health and readiness paths, the http step on /health/ready, wait-live on commit; the environment's own settings win", () => {
  const env = environmentSchema.parse(applyPreset({ preset: 'terp', url: 'https://staging.terp.example' }))
  assert.deepEqual(env.health.paths, ['/health/ready', '/health/live'])
  const plan = defaultPlan(env)
  const apiHealth = plan.find((s) => s.id === 'http')!
  assert.equal(apiHealth.options.url, '/health/ready')
  assert.equal(apiHealth.title, '/health/ready returns 200')
  assert.deepEqual(env.steps['wait-live'], { options: { path: '/version.json', field: 'commit' } })
  assert.equal((env.smoke as { trpc: { endpoint: string } }).trpc.endpoint, '/api/trpc')

  const own = environmentSchema.parse(applyPreset({ preset: 'terp', url: 'https://s.example', health: { paths: ['/healthz'] }, steps: { 'wait-live': false }, smoke: { trpc: { batch: true } } }))
  assert.deepEqual(own.health.paths, ['/healthz'])
  assert.equal(own.health.ready, '/health/ready')
  assert.equal(own.steps['wait-live'], false)
  assert.deepEqual((own.smoke as { trpc: unknown }).trpc, { endpoint: '/api/trpc', transformer: 'superjson', batch: true })
  // Without a preset nothing changes: the http step follows health.paths.
  const plain = environmentSchema.parse(applyPreset({ url: 'https://s.example', health: { paths: ['/healthz', '/health'] } }))
  assert.equal(defaultPlan(plain).find((s) => s.id === 'http')!.options.url, '/healthz')
  assert.deepEqual(mergeUnder({ a: { b: 1, c: [1] } }, { a: { c: [2] } }), { a: { b: 1, c: [2] } })
  assert.equal(typeof JSON.stringify(terpEnvironment()), 'string', 'plain data init can write out')
})

test('the browser plan with the preset: the flows start from the shared session, so no login of their own runs', () => {
  const environment = environmentSchema.parse(applyPreset({ preset: 'terp', url: 'https://s.example', smoke: { terp: { user: { username: 'admin', password: 'x' } } } }))
  const plan = browserPlan({ options: {}, environment, environmentName: 'staging' })
  assert.equal(plan.terpSession, true)
  assert.deepEqual(plan.logins, {})
  assert.equal(plan.settings.navigationTimeoutMs, 60_000)
  const own = browserPlan({ options: { logins: { default: [{ goto: '/login' }] } }, environment, environmentName: 'staging' })
  assert.equal(own.terpSession, false, 'a login named "default" replaces the shared session')
  assert.deepEqual(Object.keys(own.logins), ['default'])
})
