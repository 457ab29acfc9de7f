import { test } from 'node:test'
import assert from 'node:assert/strict'
import { environmentSchema } from '../../../src/config/schema.js'
import { monitorOptions, resolveMonitor } from '../../../src/steps/monitor/settings.js'

const env = (extra: Record<string, unknown>) => environmentSchema.parse({ url: 'https://staging.terp-app.local', ...extra })

test('monitor settings: defaults follow the runbook and the environment', () => {
  const m = resolveMonitor(env({ health: { paths: ['/health', '/api/health'] } }), monitorOptions.parse({}))
  assert.deepEqual(m, {
    windowMs: 30 * 60_000,
    intervalMs: 15_000,
    onBreach: 'rollback',
    health: { path: '/health', failuresInRow: 3, timeoutMs: 5000 },
    source: { source: 'none' },
    limits: { maxPerMinute: 5, samplesInRow: 1 },
  })
  // With a provider, the error rate comes from its logs.
  assert.deepEqual(resolveMonitor(env({ provider: { kind: 'railway' } }), {}).source, { source: 'logs', pattern: '\\b(error|fatal)\\b', lines: 500 })
})

test('monitor settings: the step\'s options override the environment\'s section key by key', () => {
  const e = env({ monitor: { window: '30m', errors: { maxPerMinute: 2, source: 'metric', url: '/m', field: 'x' }, health: { path: '/ready' } } })
  const m = resolveMonitor(e, monitorOptions.parse({ window: '2m', errors: { maxPerMinute: 10 }, health: { failuresInRow: 5 } }))
  assert.equal(m.windowMs, 120_000)
  assert.deepEqual(m.limits, { maxPerMinute: 10, samplesInRow: 1 })
  assert.deepEqual(m.source, { source: 'metric', url: '/m', field: 'x', counter: false })
  assert.deepEqual(m.health, { path: '/ready', failuresInRow: 5, timeoutMs: 5000 })
  assert.equal(resolveMonitor(e, { health: false }).health, false)
})

test('monitor settings: errors name the key under monitor', () => {
  // The section's interval is checked by the config schema; the step's own value by resolveMonitor.
  assert.throws(() => env({ monitor: { interval: 'soon' } }), /expected a duration such as/)
  assert.throws(() => resolveMonitor(env({}), { interval: 'soon' } as never), /^Error: monitor\.interval: expected a duration such as "90s"/)
  assert.throws(() => resolveMonitor(env({ monitor: { errors: { source: 'statsd' } } }), {}), /monitor\.errors\.source: /)
  assert.throws(() => resolveMonitor(env({ monitor: { errors: { maxPerMinute: -1 } } }), {}), /monitor\.errors\.maxPerMinute: /)
  assert.throws(() => env({ monitor: { onBreach: 'page' } }), /"rollback"/)
  assert.throws(() => resolveMonitor(env({}), { onBreach: 'page' } as never), /monitor\.onBreach: expected one of "rollback", "alert", got "page"/)
  assert.equal(monitorOptions.safeParse({ windw: '1m' }).success, false)
})
