import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { seed } from '../../examples/terp-app/src/seed.js'
import browser from '../../src/steps/smoke/browser.js'
import trpc from '../../src/steps/smoke/trpc.js'
import { createTestDatabase } from '../support/mysql.js'
import { harness } from '../steps/smoke/context.js'
import { build, HOST, makeTls, runInRelease, startApp, type RunningApp, type Tls } from './terp-app-harness.js'

/*
 * The project's own smoke step kinds, with their TERP defaults and nothing else, against the
 * example app: v2 passes every flow and call; v3-broken fails the create-order flow only.
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

async function runStep(kind: typeof browser | typeof trpc, app: RunningApp) {
  const h = harness(kind as typeof browser, { environment: { url: app.url, resolve: { [HOST]: '127.0.0.1' } }, options: { ca: tls.caFile } })
  try {
    return await h.run()
  } finally {
    h.cleanup()
  }
}

test('v2: every TERP browser flow and tRPC call passes with the defaults, no console errors', { skip }, async () => {
  const app = await deploy('v2')
  const flows = await runStep(browser, app)
  assert.equal(flows.status, 'passed', flows.summary)
  assert.deepEqual((flows.data as Flows).flows.map((f) => f.name), ['login', 'dashboard', 'create-order', 'inventory', 'client-details', 'calendar', 'vip-portal'])
  const calls = await runStep(trpc, app)
  assert.equal(calls.status, 'passed', calls.summary)
  await app.stop()
})

test('v3-broken: the create-order flow fails on the missing confirmation; every other flow passes', { skip }, async () => {
  const app = await deploy('v3-broken')
  const outcome = await runStep(browser, app)
  assert.equal(outcome.status, 'failed')
  const flows = (outcome.data as Flows).flows
  assert.deepEqual(flows.filter((f) => f.status !== 'passed').map((f) => f.name), ['create-order'])
  assert.match(flows.find((f) => f.name === 'create-order')!.error!, /order-created not visible on \S+ \(the page answered HTTP 500\)/)
  assert.match(outcome.summary, /^1 of 7 flows failed — create-order: /)
})
