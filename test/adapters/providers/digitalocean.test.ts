import { test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import { createProvider } from '../../../src/adapters/providers/index.js'
import { apiServer, callOptions, redactor, type Received } from './helpers.js'

const TOKEN = 'dop_v1_0123456789abcdef'
const APP = 'a1b2c3'

function deployment(id: string, phase: string, failedStep?: string) {
  const names = ['build', 'deploy']
  return {
    id,
    cause: 'manual',
    phase,
    created_at: '2026-01-16T09:00:00Z',
    phase_last_updated_at: '2026-01-16T09:00:05Z',
    progress: {
      success_steps: phase === 'ACTIVE' ? 2 : 0,
      error_steps: failedStep ? 1 : 0,
      total_steps: 2,
      steps: names.map((name) => ({ name, status: failedStep === name ? 'ERROR' : phase === 'ACTIVE' ? 'SUCCESS' : 'PENDING', ...(failedStep === name ? { reason: { code: 'BuildJobFailed', message: 'npm run build exited 1' } } : {}) })),
    },
    services: [{ name: 'web', source_commit_hash: 'abc123' }],
  }
}

/** The App Platform API: each GET of a deployment takes its next phase. */
function platform(opts: { phases: Record<string, string[]>; failedStep?: string; pinned?: boolean; validate?: unknown; rateLimitFirstDeploy?: boolean }) {
  let limited = false
  let base = ''
  const server = apiServer((req: Received) => {
    const url = new URL(req.url, 'http://x')
    const p = url.pathname
    if (p === '/logs/run-1.txt') return { text: 'web 2026-01-16T09:01:00.000Z listening on :8080\nweb 2026-01-16T09:01:05.000Z Error: connect ECONNREFUSED\n' }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return { status: 401, json: { id: 'unauthorized', message: 'Unable to authenticate you', request_id: 'r-401' } }
    if (req.method === 'GET' && p === `/v2/apps/${APP}`) {
      return { json: { app: { id: APP, live_url: 'https://terp.ondigitalocean.app', active_deployment: deployment('do-old', 'ACTIVE'), pinned_deployment: opts.pinned ? deployment('do-pin', 'ACTIVE') : undefined } } }
    }
    if (req.method === 'POST' && p === `/v2/apps/${APP}/deployments`) {
      if (opts.rateLimitFirstDeploy && !limited) {
        limited = true
        return { status: 429, headers: { 'retry-after': '1', 'ratelimit-limit': '250', 'ratelimit-remaining': '0' }, json: { id: 'too_many_requests', message: 'API Rate limit exceeded.' } }
      }
      return { json: { deployment: deployment('do-new', 'PENDING_BUILD') } }
    }
    const m = /^\/v2\/apps\/[^/]+\/deployments\/([^/]+)$/.exec(p)
    if (req.method === 'GET' && m) {
      const list = opts.phases[m[1]!]
      if (!list) return { status: 404, json: { id: 'not_found', message: 'deployment not found', request_id: 'r-404' } }
      const phase = list.length > 1 ? list.shift()! : list[0]!
      return { json: { deployment: deployment(m[1]!, phase, phase === 'ERROR' ? opts.failedStep : undefined) } }
    }
    if (req.method === 'POST' && p === `/v2/apps/${APP}/rollback/validate`) return { json: opts.validate ?? { valid: true, warnings: [{ code: 'image_source_missing', message: 'cached image reused' }] } }
    if (req.method === 'POST' && p === `/v2/apps/${APP}/rollback`) return { json: { deployment: deployment('do-rb', 'PENDING_DEPLOY') } }
    if (req.method === 'GET' && p.endsWith('/components/web/logs')) return { json: { live_url: 'wss://logs.example/live', historic_urls: [`${base}/logs/run-1.txt`] } }
    return { status: 404, json: { id: 'not_found', message: `no route ${req.method} ${p}`, request_id: 'r-x' } }
  })
  return server.then((s) => {
    base = s.url
    return s
  })
}

test('creates a deployment (waiting out a 429), follows its phase, rolls back after validating, reads run logs', async () => {
  const api = await platform({ phases: { 'do-new': ['PENDING_BUILD', 'BUILDING', 'DEPLOYING', 'ACTIVE'], 'do-rb': ['DEPLOYING', 'ACTIVE'] }, rateLimitFirstDeploy: true })
  try {
    const ctx = { cwd: os.tmpdir(), env: { DIGITALOCEAN_ACCESS_TOKEN: TOKEN }, redactor: redactor() }
    const provider = await createProvider({ kind: 'digitalocean', app: APP, apiUrl: api.url, pollInterval: '10ms' }, ctx)
    const opts = callOptions()

    const before = await provider.current(opts)
    assert.deepEqual(before, { id: 'do-old', status: 'ACTIVE', live: true, createdAt: '2026-01-16T09:00:00Z', url: 'https://terp.ondigitalocean.app' })

    const d = await provider.deploy('v2.0.0', opts)
    assert.equal(d.id, 'do-new')
    assert.ok(opts.lines.some((l) => /rate limited \(HTTP 429\) on POST \/v2\/apps\/a1b2c3\/deployments; retrying in 1\.0 s/.test(l)), opts.lines.join('\n'))
    assert.deepEqual(api.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/deployments')).map((r) => r.body), [{ force_build: false }, { force_build: false }])

    const live = await provider.waitUntilLive('do-new', { ...opts, timeoutMs: 10_000 })
    assert.equal(live.status, 'ACTIVE')
    assert.ok(opts.lines.includes('deployment do-new: BUILDING (0/2 steps)'))
    assert.ok(opts.lines.includes('deployment do-new: ACTIVE (2/2 steps)'))

    const rb = await provider.rollback('do-old', { ...opts, fromDeploymentId: 'do-new' })
    assert.equal(rb.id, 'do-rb')
    assert.equal(rb.live, false)
    const rollbackCalls = api.requests.filter((r) => r.url.includes('/rollback'))
    assert.deepEqual(rollbackCalls.map((r) => [r.url, r.body]), [
      [`/v2/apps/${APP}/rollback/validate`, { deployment_id: 'do-old', skip_pin: false }],
      [`/v2/apps/${APP}/rollback`, { deployment_id: 'do-old', skip_pin: false }],
    ])
    assert.ok(opts.lines.includes('rollback warning: image_source_missing cached image reused'))
    assert.ok(opts.lines.some((l) => l.includes('stays pinned')))
    assert.equal((await provider.waitUntilLive(rb.id, { ...opts, timeoutMs: 10_000 })).status, 'ACTIVE')

    const logs = await provider.logs({ ...opts, lines: 10, deploymentId: 'do-new' })
    assert.deepEqual(logs, [
      { timestamp: '2026-01-16T09:01:00.000Z', message: 'listening on :8080' },
      { timestamp: '2026-01-16T09:01:05.000Z', message: 'Error: connect ECONNREFUSED' },
    ])
    const logCall = api.requests.find((r) => r.url.includes('/components/web/logs'))!
    assert.equal(logCall.url, `/v2/apps/${APP}/deployments/do-new/components/web/logs?type=RUN&follow=false`)
    // The pre-signed log URL gets no token.
    assert.equal(api.requests.find((r) => r.url === '/logs/run-1.txt')!.headers.authorization, undefined)
  } finally {
    await api.close()
  }
})

test('a deployment that ends in ERROR names the failed step', async () => {
  const api = await platform({ phases: { 'do-new': ['BUILDING', 'ERROR'] }, failedStep: 'build' })
  try {
    const provider = await createProvider({ kind: 'digitalocean', app: APP, apiUrl: api.url, pollInterval: '10ms' }, { cwd: os.tmpdir(), env: { DIGITALOCEAN_ACCESS_TOKEN: TOKEN }, redactor: redactor() })
    await assert.rejects(provider.waitUntilLive('do-new', { ...callOptions(), timeoutMs: 10_000 }), /DigitalOcean deployment do-new ended as ERROR \(failed: build: npm run build exited 1\)/)
    await assert.rejects(provider.status('do-unknown', callOptions()), /answered HTTP 404 \(not_found: deployment not found\) \[request r-404\]/)
  } finally {
    await api.close()
  }
})

test('a rollback that fails validation starts nothing; a pinned app takes no deploy; no token, no call', async () => {
  const api = await platform({ phases: {}, pinned: true, validate: { valid: false, error: { code: 'incompatible_result', message: 'the app spec changed since that deployment' } } })
  try {
    const ctx = { cwd: os.tmpdir(), env: { DIGITALOCEAN_ACCESS_TOKEN: TOKEN }, redactor: redactor() }
    const provider = await createProvider({ kind: 'digitalocean', app: APP, apiUrl: api.url }, ctx)
    await assert.rejects(provider.rollback('do-old', callOptions()), /will not roll back to deployment do-old: incompatible_result: the app spec changed since that deployment/)
    await assert.rejects(provider.deploy('v2', callOptions()), /app a1b2c3 is pinned to deployment do-pin by an earlier rollback: commit it/)
    assert.ok(!api.requests.some((r) => r.method === 'POST' && (r.url.endsWith('/rollback') || r.url.endsWith('/deployments'))))

    const count = api.requests.length
    const noToken = await createProvider({ kind: 'digitalocean', app: APP, apiUrl: api.url }, { cwd: os.tmpdir(), env: {}, redactor: redactor() })
    await assert.rejects(noToken.current(callOptions()), /DIGITALOCEAN_ACCESS_TOKEN is not set/)
    assert.equal(api.requests.length, count)
  } finally {
    await api.close()
  }
})
