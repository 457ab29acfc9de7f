import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createProvider } from '../../../src/adapters/providers/index.js'
import { callOptions, redactor, standinWorld } from './helpers.js'

const TOKEN = 'vc-token-0a9b8c7d6e'

function world(extra: Record<string, unknown> = {}) {
  return standinWorld({
    deployments: { dpl_old: { url: 'app-old.vercel.app', states: ['READY'], target: 'production', createdAt: 1767225600000 } },
    domains: { 'app.example.com': 'dpl_old' },
    logs: [
      { id: 'l1', timestamp: 1767225700000, deploymentId: 'dpl_new', level: 'info', message: 'GET /api/health 200', source: 'serverless' },
      { id: 'l2', timestamp: 1767225701000, deploymentId: 'dpl_new', level: 'error', message: 'TypeError: x is undefined', source: 'serverless' },
    ],
    ...extra,
  })
}

test('deploys to production with the token in VERCEL_TOKEN only, waits for READY, rolls back by id, reads logs', async () => {
  const w = world()
  try {
    const ctx = { cwd: w.dir, env: w.env({ VERCEL_TOKEN: TOKEN }), redactor: redactor() }
    const provider = await createProvider({ kind: 'vercel', domain: 'app.example.com', scope: 'acme', projectId: 'prj_1', orgId: 'team_1', pollInterval: '10ms' }, ctx)
    const opts = callOptions()

    const before = await provider.current(opts)
    assert.deepEqual(before, { id: 'dpl_old', status: 'READY', live: true, createdAt: '2026-01-01T00:00:00.000Z', url: 'https://app-old.vercel.app' })

    const d = await provider.deploy('v2.0.0', opts)
    assert.equal(d.id, 'dpl_new')
    assert.equal(d.url, 'https://app-new.vercel.app')
    const live = await provider.waitUntilLive('dpl_new', { ...opts, timeoutMs: 20_000 })
    assert.equal(live.status, 'READY')
    assert.ok(opts.lines.includes('deployment dpl_new: BUILDING') && opts.lines.includes('deployment dpl_new: READY'))

    const rb = await provider.rollback('dpl_old', { ...opts, fromDeploymentId: 'dpl_new' })
    assert.equal(rb.id, 'dpl_old')
    assert.equal(w.state().domains['app.example.com'], 'dpl_old')

    const logs = await provider.logs({ ...opts, lines: 10, deploymentId: 'dpl_new' })
    assert.deepEqual(logs.map((l) => [l.level, l.message, l.timestamp]), [
      ['info', 'GET /api/health 200', '2026-01-01T00:01:40.000Z'],
      ['error', 'TypeError: x is undefined', '2026-01-01T00:01:41.000Z'],
    ])

    const calls = w.calls()
    const deploy = calls.find((c) => c.argv[0] === 'deploy')!
    assert.deepEqual(deploy.argv, ['deploy', '--yes', '--no-wait', '--json', '--prod', '--meta', 'rolloutRelease=v2.0.0', '--scope', 'acme'])
    assert.deepEqual(calls.find((c) => c.argv[0] === 'rollback')!.argv, ['rollback', 'dpl_old', '--yes', '--timeout', '180s', '--scope', 'acme'])
    assert.deepEqual(calls.find((c) => c.argv[0] === 'logs')!.argv, ['logs', '--deployment', 'dpl_new', '--json', '-n', '10', '--scope', 'acme'])
    for (const call of calls) {
      assert.ok(!call.argv.includes('--token') && !call.argv.join(' ').includes(TOKEN), `token in argv: ${call.argv.join(' ')}`)
      assert.deepEqual(call.envKeys.filter((k) => k.startsWith('VERCEL')), ['VERCEL_ORG_ID', 'VERCEL_PROJECT_ID', 'VERCEL_TOKEN'])
    }
  } finally {
    w.cleanup()
  }
})

test('without a domain, what is live is the newest READY deployment of the target', async () => {
  const w = world({ deployments: {
    dpl_a: { url: 'a.vercel.app', states: ['READY'], target: 'production', createdAt: 1 },
    dpl_b: { url: 'b.vercel.app', states: ['READY'], target: 'production', createdAt: 2 },
    dpl_c: { url: 'c.vercel.app', states: ['ERROR'], target: 'production', createdAt: 3 },
  } })
  try {
    const provider = await createProvider({ kind: 'vercel' }, { cwd: w.dir, env: w.env({ VERCEL_TOKEN: TOKEN }), redactor: redactor() })
    assert.equal((await provider.current(callOptions()))?.id, 'dpl_b')
    assert.deepEqual(w.calls()[0]!.argv, ['list', '--json', '--status', 'READY', '--prod'])
  } finally {
    w.cleanup()
  }
})

test('a build error, an ERROR after the build, a failed rollback and a missing login each fail with the reason', async () => {
  const w = world({ scenario: 'build-error' })
  try {
    const ctx = { cwd: w.dir, env: w.env({ VERCEL_TOKEN: TOKEN }), redactor: redactor() }
    const provider = await createProvider({ kind: 'vercel', pollInterval: '10ms' }, ctx)
    await assert.rejects(provider.deploy('v2', callOptions()), /vercel deploy failed: BUILD_ERROR: Command "npm run build" exited with 1/)

    w.setState({ ...w.state(), scenario: 'ok', newStates: ['BUILDING', 'ERROR'] })
    const d = await provider.deploy('v2', callOptions())
    await assert.rejects(provider.waitUntilLive(d.id, { ...callOptions(), timeoutMs: 10_000 }), /Vercel deployment dpl_new ended as ERROR \(see: vercel inspect dpl_new --logs\)/)

    w.setState({ ...w.state(), scenario: 'rollback-fails' })
    await assert.rejects(provider.rollback('dpl_old', callOptions()), /vercel rollback failed \(exit 1\): Error: Failed to remap all aliases/)

    const loggedOut = await createProvider({ kind: 'vercel' }, { cwd: w.dir, env: w.env(), redactor: redactor() })
    await assert.rejects(loggedOut.deploy('v2', callOptions()), /vercel deploy: not logged in to Vercel \(set VERCEL_TOKEN/)
  } finally {
    w.cleanup()
  }
})

test('outside production a rollback re-points the domain, and needs one', async () => {
  const w = world({ deployments: {
    dpl_old: { url: 'app-old.vercel.app', states: ['READY'], target: 'staging' },
    dpl_new: { url: 'app-new.vercel.app', states: ['READY'], target: 'staging' },
  }, domains: { 'staging.example.com': 'dpl_new' } })
  try {
    const ctx = { cwd: w.dir, env: w.env({ VERCEL_TOKEN: TOKEN }), redactor: redactor() }
    const noDomain = await createProvider({ kind: 'vercel', target: 'staging' }, ctx)
    await assert.rejects(noDomain.rollback('dpl_old', callOptions()), /vercel rollback works on production only; for target "staging" set provider\.domain/)

    const provider = await createProvider({ kind: 'vercel', target: 'staging', domain: 'staging.example.com' }, ctx)
    await provider.rollback('dpl_old', callOptions())
    assert.equal(w.state().domains['staging.example.com'], 'dpl_old')
    assert.deepEqual(w.calls().at(-1)!.argv, ['alias', 'set', 'https://app-old.vercel.app', 'staging.example.com'])
    await provider.deploy('v3', callOptions())
    assert.deepEqual(w.calls().at(-1)!.argv.slice(0, 6), ['deploy', '--yes', '--no-wait', '--json', '--target', 'staging'])
  } finally {
    w.cleanup()
  }
})

test('a vercel call that never answers is stopped at the provider timeout', async () => {
  const w = world({ scenario: 'hang' })
  try {
    const provider = await createProvider({ kind: 'vercel', timeout: '300ms' }, { cwd: w.dir, env: w.env({ VERCEL_TOKEN: TOKEN }), redactor: redactor() })
    await assert.rejects(provider.deploy('v2', callOptions()), /vercel deploy gave no answer within 300ms and was stopped/)
  } finally {
    w.cleanup()
  }
})
