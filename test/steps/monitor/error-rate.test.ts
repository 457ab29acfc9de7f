import { test } from 'node:test'
import assert from 'node:assert/strict'
import { counterRate, fieldValue, logErrorsPerMinute, prometheusValue } from '../../../src/steps/monitor/error-rate.js'

const pattern = /\b(error|fatal)\b/i

test('error rate from logs with timestamps: error lines of the last minute', () => {
  const now = Date.parse('2026-01-01T12:00:00Z')
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString()
  const lines = [
    { timestamp: at(90), message: 'Error: old one' },
    { timestamp: at(50), message: 'GET /api/health 200' },
    { timestamp: at(40), message: 'TRPCError: INTERNAL_SERVER_ERROR in orders.create' },
    { timestamp: at(30), level: 'error', message: 'query failed' },
    { timestamp: at(20), message: '{"level":"error","msg":"db timeout"}' },
    { timestamp: at(10), message: 'terrorist is not an error word' },
    { timestamp: at(5), level: 'info', message: 'all good' },
  ]
  // INTERNAL_SERVER_ERROR is not the word "error"; the level, the JSON line and the last one are.
  assert.equal(logErrorsPerMinute(lines, pattern, now, { seen: new Set(), lastAt: null }), 3)
})

test('error rate from logs without timestamps: new error lines since the previous reading', () => {
  const state = { seen: new Set<string>(), lastAt: null as number | null }
  const t0 = 1_000_000
  assert.equal(logErrorsPerMinute([{ message: 'error a' }, { message: 'ok' }], pattern, t0, state), null)
  assert.equal(logErrorsPerMinute([{ message: 'error a' }, { message: 'ok' }, { message: 'error b' }, { message: 'fatal c' }], pattern, t0 + 30_000, state), 4)
  assert.equal(logErrorsPerMinute([{ message: 'error b' }, { message: 'fatal c' }], pattern, t0 + 90_000, state), 0)
})

test('Prometheus instant query: a vector is summed, a scalar read, an error reported', () => {
  const vector = { status: 'success', data: { resultType: 'vector', result: [
    { metric: { route: '/a' }, value: [1700000000.1, '2.5'] },
    { metric: { route: '/b' }, value: [1700000000.1, '1'] },
  ] } }
  assert.equal(prometheusValue(vector), 3.5)
  assert.equal(prometheusValue({ status: 'success', data: { resultType: 'vector', result: [] } }), 0)
  assert.equal(prometheusValue({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '7'] } }), 7)
  assert.throws(() => prometheusValue({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }), /Prometheus answered error: bad_data: parse error at char 5/)
  assert.throws(() => prometheusValue({ status: 'success', data: { resultType: 'matrix', result: [] } }), /matrix result/)
  assert.throws(() => prometheusValue({ status: 'success', data: { resultType: 'scalar', result: [1, 'NaN'] } }), /not a finite number/)
})

test('JSON metric: a field by path; a counter becomes a rate', () => {
  const body = { app: { errors: { perMinute: 4 } }, checks: [{ value: '12.5' }] }
  assert.equal(fieldValue(body, 'app.errors.perMinute'), 4)
  assert.equal(fieldValue(body, 'checks[0].value'), 12.5)
  assert.throws(() => fieldValue(body, 'app.warnings.count'), /no field "app.warnings.count" \(missing at "warnings"\)/)
  assert.throws(() => fieldValue(body, 'app.errors'), /is \{"perMinute":4\}, not a number/)
  assert.equal(counterRate(10, 0, null), null)
  assert.equal(counterRate(16, 30_000, { value: 10, at: 0 }), 12)
  // The process restarted and its total went back to 2: those 2 are new.
  assert.equal(counterRate(2, 60_000, { value: 16, at: 0 }), 2)
})
