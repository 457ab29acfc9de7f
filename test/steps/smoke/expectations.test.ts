import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { httpRequest } from '../../../src/adapters/http/request.js'
import { checkFields, checkHttpExpectations, httpExpectations, readField } from '../../../src/steps/smoke/expectations.js'
import { formatIssues } from '../../../src/config/issues.js'

const HEALTH = { status: 'degraded', checks: { database: { status: 'ok', latencyMs: 12 }, cache: { status: 'down' } }, items: [{ id: 'a.b' }, { id: 7 }], 'dotted.key': true }

test('an HTTP answer checked for headers, JSON fields and a latency budget, as the http step will', async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-release': 'v2' })
    res.end(JSON.stringify(HEALTH))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const res = await httpRequest({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`, timeoutMs: 5000 })
    const good = httpExpectations.parse({
      expectHeaders: { 'Content-Type': { matches: '^application/json' }, 'x-release': 'v2', 'x-powered-by': { exists: false } },
      expectJson: { 'checks.database.status': 'ok', 'checks.database.latencyMs': { max: 500 }, 'items.length': { min: 2 }, 'items[1].id': 7, 'dotted\\.key': true },
      maxMs: 10_000,
    })
    assert.deepEqual(checkHttpExpectations(res, good), [])

    const bad = httpExpectations.parse({
      expectHeaders: { 'strict-transport-security': { contains: 'max-age' }, 'x-release': 'v3' },
      expectJson: { status: 'healthy', 'checks.cache.latencyMs': { type: 'number' }, 'items.length': { min: 5 } },
      maxMs: 0.001,
    })
    assert.deepEqual(checkHttpExpectations(res, bad), [
      'header strict-transport-security: missing',
      'header x-release: expected "v3", got "v2"',
      'json field status: expected "healthy", got "degraded"',
      'json field checks.cache.latencyMs: missing',
      'json field items.length: expected at least 5, got 2',
      `took ${Math.round(res.timings.totalMs)} ms, over the budget of 0.001 ms`,
    ])
  } finally {
    server.close()
  }
})

test('a body that is not JSON says so instead of reporting each field missing', () => {
  const problems = checkHttpExpectations({ headers: {}, body: '<html>502 Bad Gateway</html>', timings: { totalMs: 5 } }, { expectJson: { status: 'ok' } })
  assert.deepEqual(problems, ['body is not JSON (starts with "<html>502 Bad Gateway</html>"), so its fields cannot be checked'])
})

test('field paths: dots, brackets, escaped dots, length', () => {
  assert.deepEqual(readField(HEALTH, 'items[0].id'), { found: true, value: 'a.b' })
  assert.deepEqual(readField(HEALTH, 'items.0.id'), { found: true, value: 'a.b' })
  assert.deepEqual(readField(HEALTH, 'dotted\\.key'), { found: true, value: true })
  assert.deepEqual(readField(HEALTH, 'checks.database.status.length'), { found: true, value: 2 })
  assert.deepEqual(readField(HEALTH, 'checks.nothing.status'), { found: false })
  assert.deepEqual(readField([1, 2], ''), { found: true, value: [1, 2] })
  // Dates (from superjson data) compare with their ISO text.
  assert.deepEqual(checkFields({ at: new Date('2026-01-02T03:04:05.000Z'), n: 10n }, { at: '2026-01-02T03:04:05.000Z', n: { min: 5 } }, 'data'), [])
})

test('an invalid pattern in an expectation is a config error naming its key', () => {
  const parsed = httpExpectations.safeParse({ expectJson: { status: { matches: '([' } } })
  assert.equal(parsed.success, false)
  assert.equal(formatIssues(parsed.error!.issues), 'expectJson.status.matches: expected a valid regular expression')
})
