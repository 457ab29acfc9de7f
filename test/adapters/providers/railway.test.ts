import { test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import { createProvider } from '../../../src/adapters/providers/index.js'
import { apiServer, callOptions, redactor, standinWorld, type Received } from './helpers.js'

const TOKEN = 'rw-project-token-5f1c2a'

const LIST = [
  { id: 'dep-old', status: 'SUCCESS', createdAt: '2026-01-15T18:30:00Z', meta: { commitMessage: 'v1' } },
  { id: 'dep-older', status: 'REMOVED', createdAt: '2026-01-14T10:00:00Z', meta: {} },
]

/** The GraphQL API: each `deployment` query of an id takes the next of its statuses. */
function graphql(statuses: Record<string, string[]>, extra: (req: Received) => ReturnType<Parameters<typeof apiServer>[0]> | undefined = () => undefined) {
  return apiServer((req) => {
    const special = extra(req)
    if (special) return special
    const { query, variables } = req.body as { query: string; variables: { id: string } }
    if (query.includes('deploymentRollback')) return { json: { data: { deploymentRollback: true } } }
    const list = statuses[variables.id]
    if (!list) return { json: { data: { deployment: null } } }
    const status = list.length > 1 ? list.shift()! : list[0]!
    return { json: { data: { deployment: { id: variables.id, status, canRollback: status === 'REMOVED', createdAt: '2026-01-16T09:00:00Z', url: null, staticUrl: 'terp-staging.up.railway.app' } } } }
  })
}

test('deploys with railway up --detach --json, follows the deployment over GraphQL, rolls back, reads logs', async () => {
  const world = standinWorld({ deployments: LIST, logs: [{ timestamp: '2026-01-16T09:01:00Z', message: 'listening on 3000', level: 'info' }, { timestamp: '2026-01-16T09:01:02Z', message: 'db timeout', level: 'error' }] })
  let limited = false
  const api = await graphql({ 'dep-new': ['BUILDING', 'DEPLOYING', 'SUCCESS'], 'dep-old': ['REMOVED'] }, (req) => {
    // Railway runs the rollback as a new deployment, which the CLI's list then shows first.
    if (req.body.query.includes('deploymentRollback')) {
      world.setState({ ...world.state(), deployments: [{ id: 'dep-rb', status: 'DEPLOYING', createdAt: '2026-01-16T09:05:00Z' }, ...world.state().deployments] })
      return undefined
    }
    // The first API call meets the rate limit once.
    if (limited) return undefined
    limited = true
    return { status: 429, headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' }, json: { errors: [{ message: 'Rate limit exceeded' }] } }
  })
  try {
    const ctx = { cwd: world.dir, env: world.env({ RAILWAY_TOKEN: TOKEN }), redactor: redactor() }
    const provider = await createProvider({ kind: 'railway', service: 'terp', environment: 'staging', apiUrl: `${api.url}/graphql/v2`, pollInterval: '10ms' }, ctx)
    const opts = callOptions()

    const before = await provider.current(opts)
    assert.equal(before?.id, 'dep-old')

    const d = await provider.deploy('v2.0.0', opts)
    assert.equal(d.id, 'dep-new')
    const live = await provider.waitUntilLive(d.id, { ...opts, timeoutMs: 20_000 })
    assert.equal(live.status, 'SUCCESS')
    assert.equal(live.url, 'https://terp-staging.up.railway.app')
    assert.ok(opts.lines.some((l) => /rate limited \(HTTP 429\).*retrying in 1\.0 s/.test(l)), opts.lines.join('\n'))
    assert.ok(opts.lines.includes('deployment dep-new: BUILDING') && opts.lines.includes('deployment dep-new: SUCCESS'))

    // The rollback runs as a new deployment that shows up in the list.
    world.setState({ ...world.state(), deployments: [{ id: 'dep-new', status: 'SUCCESS', createdAt: '2026-01-16T09:00:00Z' }, ...LIST] })
    const rb = await provider.rollback('dep-old', { ...opts, fromDeploymentId: 'dep-new' })
    assert.equal(rb.id, 'dep-rb')
    assert.equal(rb.live, false)
    const mutation = api.requests.find((r) => r.body.query.includes('deploymentRollback'))
    assert.deepEqual(mutation?.body.variables, { id: 'dep-old' })
    assert.match(mutation!.body.query, /deploymentRollback\(id: \$id\) \}/, 'no selection set on the Boolean result')

    const logs = await provider.logs({ ...opts, lines: 1 })
    assert.deepEqual(logs, [{ timestamp: '2026-01-16T09:01:02Z', level: 'error', message: 'db timeout' }])

    // What a user checks: the token never on a command line, always in the environment or a header.
    const calls = world.calls()
    const up = calls.find((c) => c.argv[0] === 'up')!
    assert.deepEqual(up.argv, ['up', '--detach', '--json', '--service', 'terp', '--environment', 'staging', '--message', 'rollout v2.0.0'])
    for (const call of calls) {
      assert.ok(!call.argv.join(' ').includes(TOKEN), `token in argv: ${call.argv.join(' ')}`)
      assert.ok(call.envKeys.includes('RAILWAY_TOKEN'))
    }
    assert.ok(calls.some((c) => c.argv.join(' ') === 'logs --service terp --environment staging --json --lines 1'))
    for (const r of api.requests) {
      assert.equal(r.headers['project-access-token'], TOKEN)
      assert.equal(r.headers.authorization, undefined)
    }
    assert.ok(!opts.lines.join('\n').includes(TOKEN))
  } finally {
    await api.close()
    world.cleanup()
  }
})

test('an account token goes as a Bearer token; a failed deployment and API errors are named', async () => {
  const world = standinWorld({ deployments: LIST })
  const api = await graphql({ 'dep-new': ['BUILDING', 'FAILED'], 'dep-gone': ['SUCCESS'] }, (req) =>
    req.body.variables.id === 'dep-denied' ? { json: { data: null, errors: [{ message: 'Not Authorized' }] } } : undefined,
  )
  try {
    const ctx = { cwd: world.dir, env: world.env({ RAILWAY_API_TOKEN: 'acct-token-99887766' }), redactor: redactor() }
    const provider = await createProvider({ kind: 'railway', service: 'terp', apiUrl: api.url, pollInterval: '10ms' }, ctx)
    const opts = callOptions()
    await assert.rejects(provider.waitUntilLive('dep-new', { ...opts, timeoutMs: 5000 }), /Railway deployment dep-new FAILED \(see: railway logs --build dep-new\)/)
    assert.equal(api.requests[0]!.headers.authorization, 'Bearer acct-token-99887766')
    await assert.rejects(provider.status('dep-denied', opts), /Railway API: Not Authorized/)
    await assert.rejects(provider.status('dep-missing', opts), /Railway has no deployment dep-missing/)
  } finally {
    await api.close()
    world.cleanup()
  }
})

test('a rollback to a deployment Railway marks canRollback: false is refused before anything changes', async () => {
  const world = standinWorld({ deployments: LIST })
  const api = await graphql({ 'dep-crashed': ['CRASHED'] })
  try {
    const ctx = { cwd: world.dir, env: world.env({ RAILWAY_TOKEN: TOKEN }), redactor: redactor() }
    const provider = await createProvider({ kind: 'railway', service: 'terp', apiUrl: api.url }, ctx)
    await assert.rejects(provider.rollback('dep-crashed', callOptions()), /does not allow a rollback to deployment dep-crashed \(canRollback: false; status CRASHED\)/)
    assert.ok(!api.requests.some((r) => r.body.query.includes('deploymentRollback')))
  } finally {
    await api.close()
    world.cleanup()
  }
})

test('railway CLI failures: not logged in, upload failed, no answer', async () => {
  const world = standinWorld({ deployments: LIST })
  try {
    const noToken = await createProvider({ kind: 'railway', service: 'terp' }, { cwd: world.dir, env: world.env(), redactor: redactor() })
    await assert.rejects(noToken.deploy('v2', callOptions()), /railway up: not logged in to Railway \(set RAILWAY_TOKEN.*Unauthorized\. Please login with `railway login`/)
    await assert.rejects(noToken.status('dep-new', callOptions()), /railway deployment list: not logged in to Railway/)

    world.setState({ scenario: 'up-fails' })
    const ctx = { cwd: world.dir, env: world.env({ RAILWAY_TOKEN: TOKEN }), redactor: redactor() }
    const provider = await createProvider({ kind: 'railway', service: 'terp', timeout: '1s' }, ctx)
    await assert.rejects(provider.deploy('v2', callOptions()), /railway up failed \(exit 1\): Failed to upload code with status code 500/)

    world.setState({ scenario: 'hang' })
    await assert.rejects(provider.deploy('v2', callOptions()), /railway up gave no answer within 1\.0s and was stopped/)
  } finally {
    world.cleanup()
  }
})

test('a missing railway program is named', async () => {
  const provider = await createProvider({ kind: 'railway', cli: 'railway-not-installed-here' }, { cwd: os.tmpdir(), env: { PATH: '/nonexistent' }, redactor: redactor() })
  await assert.rejects(provider.deploy('v2', callOptions()), /railway-not-installed-here was not found on PATH/)
})

test('logged in through `railway login` without a token: status comes from the CLI, a rollback needs a token', async () => {
  const world = standinWorld({ deployments: [{ id: 'dep-new', status: 'DEPLOYING', createdAt: '2026-01-16T09:00:00Z' }, ...LIST] })
  try {
    const fs = await import('node:fs')
    const path = await import('node:path')
    fs.mkdirSync(path.join(world.dir, '.railway'))
    fs.writeFileSync(path.join(world.dir, '.railway', 'config.json'), JSON.stringify({ user: { token: 'session-token-from-login' } }))
    const provider = await createProvider({ kind: 'railway', service: 'terp', pollInterval: '10ms' }, { cwd: world.dir, env: world.env({ HOME: world.dir }), redactor: redactor() })
    const opts = callOptions()
    assert.deepEqual(await provider.status('dep-new', opts), { id: 'dep-new', status: 'DEPLOYING', live: false, createdAt: '2026-01-16T09:00:00Z', url: undefined })
    setTimeout(() => world.setState({ deployments: [{ id: 'dep-new', status: 'SUCCESS', createdAt: '2026-01-16T09:00:00Z' }, ...LIST] }), 100)
    assert.equal((await provider.waitUntilLive('dep-new', { ...opts, timeoutMs: 20_000 })).status, 'SUCCESS')
    await assert.rejects(provider.rollback('dep-old', opts), /neither RAILWAY_TOKEN nor RAILWAY_API_TOKEN is set/)
  } finally {
    world.cleanup()
  }
})
