import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import trpc from '../../../src/steps/smoke/trpc.js'
import { startTrpcApp, type TrpcApp } from '../../fixtures/smoke/trpc-app.js'
import { harness } from './context.js'

const PASSWORD = 'correct-horse-battery'
let app: TrpcApp
before(async () => {
  app = await startTrpcApp({ transformer: 'superjson', password: PASSWORD })
})
after(() => app.close())

const login = { path: 'auth.login', input: { email: 'demo@terp.example', password: PASSWORD } }

test('logged-in batched queries with superjson data pass, the session cookie reused', async () => {
  const h = harness(trpc, {
    environment: { url: app.url },
    secrets: [PASSWORD],
    options: {
      transformer: 'superjson',
      batch: true,
      login,
      calls: [
        { path: 'health', expectData: { status: 'ok', checkedAt: '2026-11-25T10:00:00.000Z' } },
        { path: 'orders.list', expectData: { 'items.length': { min: 2 }, 'items[0].id': 1, total: { type: 'number' } }, maxMs: 5000 },
      ],
    },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    assert.match(outcome.summary, /^2 tRPC calls answered as expected: health \d+ ms, orders\.list \d+ ms$/)
    const last = app.requests.at(-1)!
    assert.match(last.url, /^\/trpc\/health,orders\.list\?batch=1/)
    assert.equal(last.cookie, true, 'the login cookie went with the batch')
    const evidence = h.readEvidence('calls.json')
    assert.equal(evidence.includes(PASSWORD), false)
    for (const sid of app.sessions) assert.equal(evidence.includes(sid), false, 'no session id in the evidence')
    assert.equal(JSON.parse(evidence).calls[0].data.checkedAt, '2026-11-25T10:00:00.000Z')
  } finally {
    h.cleanup()
  }
})

test('a failing mutation fails the step with the tRPC code and message', async () => {
  const h = harness(trpc, {
    environment: { url: app.url },
    options: {
      transformer: 'superjson',
      login,
      calls: [
        { path: 'orders.list' },
        { path: 'orders.create', type: 'mutation', input: { clientId: 999, items: [{ sku: 'BD-1', qty: 2 }], dueAt: new Date('2026-12-01T00:00:00Z') } },
      ],
    },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.summary, '1 of 2 tRPC calls failed — orders.create: INTERNAL_SERVER_ERROR (HTTP 500): Deadlock found when trying to get lock; try restarting transaction')
    assert.deepEqual((outcome.data as { calls: { path: string; ok: boolean; code?: string }[] }).calls.map((c) => [c.path, c.ok, c.code]), [
      ['orders.list', true, undefined],
      ['orders.create', false, 'INTERNAL_SERVER_ERROR'],
    ])
    assert.equal(app.requests.at(-1)!.method, 'POST')
  } finally {
    h.cleanup()
  }
})

test('expected errors: a refused bad input passes, an unexpected success fails', async () => {
  const h = harness(trpc, {
    environment: { url: app.url },
    options: {
      transformer: 'superjson',
      login,
      calls: [
        { path: 'orders.create', type: 'mutation', input: { clientId: 1, items: [] }, expectError: { code: 'BAD_REQUEST', message: 'at least one item' } },
        { path: 'orders.create', type: 'mutation', input: { clientId: 1, items: [{ sku: 'A', qty: 1 }] }, expectError: { code: 'BAD_REQUEST' } },
      ],
    },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /^1 of 2 tRPC calls failed — orders\.create: expected an error BAD_REQUEST, but it succeeded with \{"id":1001/)
  } finally {
    h.cleanup()
  }
})

test('a refused login stops the step and says why; without a login the API refuses', async () => {
  const bad = harness(trpc, { environment: { url: app.url }, options: { transformer: 'superjson', login: { path: 'auth.login', input: { email: 'x', password: 'wrong' } }, calls: [{ path: 'orders.list' }] } })
  const none = harness(trpc, { environment: { url: app.url }, options: { transformer: 'superjson', login: false, calls: [{ path: 'orders.list' }] } })
  try {
    const refused = await bad.run()
    assert.equal(refused.status, 'failed')
    assert.equal(refused.summary, 'login auth.login failed: UNAUTHORIZED: Invalid email or password')
    const anonymous = await none.run()
    assert.equal(anonymous.summary, '1 of 1 tRPC calls failed — orders.list: UNAUTHORIZED (HTTP 401): Please log in')
  } finally {
    bad.cleanup()
    none.cleanup()
  }
})

test('a form login (not tRPC) gives the cookie the calls use', async () => {
  const h = harness(trpc, {
    environment: { url: app.url },
    options: { transformer: 'superjson', login: { url: '/session', form: { email: 'demo@terp.example', password: PASSWORD } }, calls: [{ path: 'orders.list', expectData: { total: 2 } }] },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    assert.ok(h.logs.includes('login: session cookie sid kept for the calls'))
  } finally {
    h.cleanup()
  }
})

test('an endpoint that does not answer tRPC is named with what came back', async () => {
  const h = harness(trpc, { environment: { url: app.url }, options: { endpoint: '/broken/trpc', login: false, calls: [{ path: 'health' }] } })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /health: not a tRPC response: HTTP 502 \(text\/html\): <html><body><h1>502 Bad Gateway/)
  } finally {
    h.cleanup()
  }
})

test('with no calls configured the TERP calls run after the pass\'s one login; a failed login is not tried again in the pass', async () => {
  const terp = { user: { username: 'admin', password: PASSWORD } }
  const unset = harness(trpc, { runId: 'run-terp-none', environment: { url: app.url } })
  try {
    const outcome = await unset.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /^no TERP login configured: set smoke\.terp\.user \{ username, password \}.*nothing was tried$/)
  } finally {
    unset.cleanup()
  }
  const before = app.requests.length
  for (let attempt = 0; attempt < 2; attempt++) {
    const h = harness(trpc, { runId: 'run-terp-1', environment: { url: app.url, smoke: { terp } } })
    try {
      const outcome = await h.run()
      // This app has no POST /api/auth/login: the login fails, and with it the step, before any call.
      assert.equal(outcome.status, 'failed')
      assert.match(outcome.summary, /^login POST http:\/\/127\.0\.0\.1:\d+\/api\/auth\/login failed: HTTP 404; not retried: TERP locks the account after 10 failed logins in 15 minutes/)
      assert.deepEqual((outcome.data as { calls: unknown[] }).calls, [])
      if (attempt === 1) assert.ok(h.logs.some((l) => /failed earlier in this pass/.test(l)), h.logs.join('\n'))
    } finally {
      h.cleanup()
    }
  }
  assert.deepEqual(app.requests.slice(before).map((r) => `${r.method} ${r.url}`), ['POST /api/auth/login'], 'one login for the pass, no call after it')
})

test('the smoke.trpc section is checked with its key path', async () => {
  const h = harness(trpc, { environment: { url: app.url, smoke: { trpc: { transformer: 'devalue' } } } })
  try {
    await assert.rejects(h.run(), /environments\.staging\.smoke\.trpc\.transformer: expected one of "none", "superjson", got "devalue"/)
  } finally {
    h.cleanup()
  }
})
