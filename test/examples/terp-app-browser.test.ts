import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { seed } from '../../examples/terp-app/src/seed.js'
import browser from '../../src/steps/smoke/browser.js'
import trpc from '../../src/steps/smoke/trpc.js'
import { createTestDatabase } from '../support/mysql.js'
import { applyPreset } from '../../src/config/presets.js'
import { harness } from '../steps/smoke/context.js'
import { build, HOST, makeTls, runInRelease, startApp, type RunningApp, type Tls } from './terp-app-harness.js'

/*
 * The project's own smoke step kinds with the terp preset's flows and calls, given only the
 * account and the order to place, against the example app: v2 passes every flow and call;
 * v3-broken fails the create-order flow only. Both steps share one login per pass.
 */

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`

let database: Awaited<ReturnType<typeof createTestDatabase>>
let tls: Tls
const started: RunningApp[] = []

before(async () => {
  database = await createTestDatabase('terpb')
  tls = makeTls()
  await seed({ url: database.url, volume: 'small' })
})
after(async () => {
  await Promise.all(started.map((a) => a.stop()))
  await database?.drop()
})

async function deploy(release: string): Promise<RunningApp> {
  const dir = build(release)
  const migrated = await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: database.url })
  assert.equal(migrated.code, 0, migrated.stderr)
  const app = await startApp(dir, { DATABASE_URL: database.url, TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile, ALLOWED_HOSTS: HOST, SESSION_SECRET: 'browser-test-secret' })
  started.push(app)
  return app
}

type Flows = { flows: { name: string; status: string; error?: string }[] }

const terp = { user: { username: 'demo@terp.example', password: 'password' }, order: { submit: 'data-testid=order-submit', created: 'data-testid=order-created' } }

async function runStep(kind: typeof browser | typeof trpc, app: RunningApp, runId: string) {
  const { smoke } = applyPreset({ preset: 'terp', smoke: { terp } }) as { smoke: Record<string, unknown> }
  const h = harness(kind as typeof browser, { runId, environment: { url: app.url, resolve: { [HOST]: '127.0.0.1' }, smoke }, options: { ca: tls.caFile } })
  try {
    return await h.run()
  } finally {
    h.cleanup()
  }
}

test('v2: every TERP browser flow and tRPC call passes with the preset, one login for both steps', { skip }, async () => {
  const app = await deploy('v2')
  const calls = await runStep(trpc, app, 'run-v2')
  assert.equal(calls.status, 'passed', calls.summary)
  assert.deepEqual((calls.data as { calls: { path: string }[] }).calls.map((c) => c.path), ['health.checkDetailed', 'health.checkDetailed', 'dashboard.getKpis', 'orders.getAll', 'inventory.list', 'clients.list', 'calendar.getMyEvents'])
  const flows = await runStep(browser, app, 'run-v2')
  assert.equal(flows.status, 'passed', flows.summary)
  assert.deepEqual((flows.data as Flows).flows.map((f) => f.name), ['login-page', 'dashboard', 'create-order', 'orders', 'inventory', 'clients', 'calendar', 'vip-portal'])
  const logins = app.output().split('\n').filter((l) => l.includes('/api/auth/login'))
  assert.equal(logins.length, 1, `one login for the pass:\n${logins.join('\n')}`)
  await app.stop()
})

test('a refused login fails both steps at once, says retries are off, and is tried only once', { skip }, async () => {
  const app = await deploy('v2')
  const wrong = { ...terp, user: { username: 'demo@terp.example', password: 'wrong-password' } }
  const { smoke } = applyPreset({ preset: 'terp', smoke: { terp: wrong } }) as { smoke: Record<string, unknown> }
  for (const kind of [trpc, browser]) {
    const h = harness(kind as typeof browser, { runId: 'run-wrong', environment: { url: app.url, resolve: { [HOST]: '127.0.0.1' }, smoke }, options: { ca: tls.caFile } })
    try {
      const outcome = await h.run()
      assert.equal(outcome.status, 'failed')
      assert.match(outcome.summary, /login POST \S+\/api\/auth\/login failed: HTTP 401; not retried: TERP locks the account after 10 failed logins in 15 minutes/)
    } finally {
      h.cleanup()
    }
  }
  assert.equal(app.output().split('\n').filter((l) => l.includes('/api/auth/login')).length, 1)
  await app.stop()
})

test('v3-broken: the create-order flow fails on the missing confirmation; every other flow passes', { skip }, async () => {
  const app = await deploy('v3-broken')
  const outcome = await runStep(browser, app, 'run-v3')
  assert.equal(outcome.status, 'failed')
  const flows = (outcome.data as Flows).flows
  assert.deepEqual(flows.filter((f) => f.status !== 'passed').map((f) => f.name), ['create-order'])
  assert.match(flows.find((f) => f.name === 'create-order')!.error!, /order-created not visible on \S+ \(the page answered HTTP 500\)/)
  assert.match(outcome.summary, /^1 of 8 flows failed — create-order: /)
})
