import { test } from 'node:test'
import assert from 'node:assert/strict'
import type http from 'node:http'
import health from '../../../src/steps/environment/health.js'
import { parseHealthBody } from '../../../src/steps/environment/health-body.js'
import { gate } from '../preflight/harness.js'
import { HOST, RESOLVE, closedPort, httpServer } from './servers.js'

type Route = { status: number; body: unknown }

async function app(t: { after(fn: () => unknown): void }, routes: Record<string, Route>, seen: string[] = []) {
  return httpServer(t, (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push(req.url ?? '')
    const route = routes[req.url ?? '']
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return res.end('Cannot GET')
    }
    res.writeHead(route.status, { 'content-type': typeof route.body === 'string' ? 'text/plain' : 'application/json' })
    res.end(typeof route.body === 'string' ? route.body : JSON.stringify(route.body))
  })
}

function check(t: { after(fn: () => unknown): void }, port: number, paths: string[], options: Record<string, unknown> = {}) {
  return gate(t, health, { phase: 'environment', environment: { url: `http://${HOST}:${port}`, resolve: RESOLVE, health: { paths } }, options })
}

test('health: paths are tried in order; the first that exists is judged with its sub-checks', async (t) => {
  const seen: string[] = []
  const port = await app(t, { '/health': { status: 200, body: { status: 'healthy', checks: { database: { status: 'ok' }, memory: { status: 'ok' } } } } }, seen)
  const h = check(t, port, ['/api/health', '/health', '/health/ready'])
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.match(outcome.summary, /^\/health 200 healthy \(database ok, memory ok\) in \d+ ms$/)
  assert.deepEqual(seen, ['/api/health', '/health'])
  const evidence = JSON.parse(h.readEvidence('health.json'))
  assert.deepEqual(evidence.attempts.map((a: { path: string; verdict: string }) => `${a.path}:${a.verdict}`), ['/api/health:missing', '/health:healthy'])
})

test('health: degraded is a warning that names the sub-check', async (t) => {
  const port = await app(t, { '/api/health': { status: 200, body: { status: 'degraded', checks: [{ name: 'database', status: 'ok' }, { name: 'redis', status: 'degraded', message: 'replica lag 12 s' }] } } })
  const outcome = await check(t, port, ['/api/health']).run()
  assert.equal(outcome.status, 'warning')
  assert.match(outcome.summary, /^\/api\/health 200 degraded \(database ok, redis degraded: replica lag 12 s\) in \d+ ms$/)
})

test('health: unhealthy with a 503 fails and says which sub-check failed and why', async (t) => {
  const port = await app(t, { '/health': { status: 503, body: { status: 'unhealthy', checks: { database: { status: 'unhealthy', error: 'connect ETIMEDOUT 10.0.4.2:3306' } } } } })
  const outcome = await check(t, port, ['/health']).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^\/health 503 unhealthy \(database unhealthy: connect ETIMEDOUT 10\.0\.4\.2:3306\) in \d+ ms$/)
})

test('health: with `all`, every path must be healthy (live and ready)', async (t) => {
  const port = await app(t, {
    '/health/live': { status: 200, body: { status: 'ok' } },
    '/health/ready': { status: 503, body: { status: 'fail', details: { db: { status: 'DOWN' } } } },
  })
  const outcome = await check(t, port, ['/health/live', '/health/ready'], { all: true }).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^\/health\/live 200 ok in \d+ ms; \/health\/ready 503 fail \(db DOWN\) in \d+ ms$/)
})

test('health: no configured path exists, or nothing listens, each said plainly', async (t) => {
  const port = await app(t, {})
  const missing = await check(t, port, ['/api/health', '/health']).run()
  assert.equal(missing.status, 'failed')
  assert.equal(missing.summary, 'no health endpoint answered: /api/health → 404, /health → 404; set environments.staging.health.paths')

  const closed = await closedPort()
  const refused = await check(t, closed, ['/api/health', '/health']).run()
  assert.equal(refused.status, 'failed')
  assert.match(refused.summary, new RegExp(`^/api/health: connection refused: TCP connection to ${HOST}:${closed} failed \\(ECONNREFUSED\\)`))
})

test('health: a plain-text 200 is healthy by its status code; a slow answer is a warning', async (t) => {
  const port = await httpServer(t, (_req, res) => {
    setTimeout(() => res.end('OK'), 150)
  })
  const outcome = await check(t, port, ['/health'], { maxLatencyMs: 20 }).run()
  assert.equal(outcome.status, 'warning')
  assert.match(outcome.summary, /^\/health 200 in \d+ ms; slower than 20 ms: \/health$/)
})

test('health bodies in the shapes apps use', () => {
  assert.deepEqual(parseHealthBody({ status: 'UP', components: { db: { status: 'UP', details: { database: 'MySQL' } }, diskSpace: { status: 'OUT_OF_SERVICE' } } }), {
    status: 'healthy',
    said: 'UP',
    checks: [{ name: 'db', status: 'healthy', said: 'UP' }, { name: 'diskSpace', status: 'unhealthy', said: 'OUT_OF_SERVICE' }],
  })
  assert.deepEqual(parseHealthBody({ status: 'pass', checks: { 'mysql:responseTime': [{ status: 'pass' }, { status: 'warn', output: 'slow' }] } }).checks, [
    { name: 'mysql:responseTime', status: 'degraded', said: 'warn', message: 'slow' },
  ])
  assert.equal(parseHealthBody({ ok: false }).status, 'unhealthy')
  assert.deepEqual(parseHealthBody({ version: '1.4.0', uptime: 12 }), { status: 'unknown', said: undefined, checks: [] })
  assert.equal(parseHealthBody({ checks: { db: 'ok', cache: 'down' } }).status, 'unhealthy')
})
