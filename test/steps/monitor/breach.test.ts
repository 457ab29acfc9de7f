import { test } from 'node:test'
import assert from 'node:assert/strict'
import { findBreach, quietSummary, type Sample, type Thresholds } from '../../../src/steps/monitor/breach.js'

const t: Thresholds = { maxPerMinute: 5, samplesInRow: 1, healthFailuresInRow: 3 }
let n = 0
const s = (extra: Partial<Sample>): Sample => ({ at: `2026-01-01T00:00:${String(n++ % 60).padStart(2, '0')}.000Z`, elapsedMs: n * 1000, ...extra })
const up = { ok: true, status: 200, ms: 3 }
const down = { ok: false, status: 500, error: 'HTTP 500: boom' }

test('breach: health failures count only in a row', () => {
  assert.equal(findBreach([s({ health: down }), s({ health: down }), s({ health: up }), s({ health: down }), s({ health: down })], null, t), null)
  const b = findBreach([s({ health: up }), s({ health: down }), s({ health: down }), s({ health: down })], null, t)
  assert.equal(b?.kind, 'health')
  assert.equal(b?.reason, 'health check failed 3 times in a row (last: HTTP 500: boom)')
})

test('breach: the error rate against the absolute limit, with and without a baseline from before the deploy', () => {
  assert.equal(findBreach([s({ errorsPerMinute: 5 })], null, t), null)
  assert.equal(findBreach([s({ errorsPerMinute: 6 })], null, t)?.reason, 'error rate 6/min above the limit of 5/min')
  // Errors the old release already had raise the limit to what they were...
  const before = { perMinute: 8, source: 'before-deploy' as const }
  assert.equal(findBreach([s({ errorsPerMinute: 8 })], before, t), null)
  assert.equal(findBreach([s({ errorsPerMinute: 9.5 })], before, t)?.reason, 'error rate 9.5/min above the limit of 8/min, baseline 8/min before the deploy')
  // ...but a baseline read after the deploy excuses nothing.
  assert.ok(findBreach([s({ errorsPerMinute: 8 })], { perMinute: 8, source: 'window-start' }, t))
})

test('breach: a rise over the baseline, and several high readings in a row when asked', () => {
  const rise = { ...t, maxPerMinute: 100, maxIncreasePerMinute: 2 }
  const base = { perMinute: 1, source: 'window-start' as const }
  assert.equal(findBreach([s({ errorsPerMinute: 3 })], base, rise), null)
  assert.match(findBreach([s({ errorsPerMinute: 3.5 })], base, rise)!.reason, /rose more than 2\/min above the baseline/)

  const twice = { ...t, samplesInRow: 2 }
  assert.equal(findBreach([s({ errorsPerMinute: 9 })], null, twice), null)
  assert.equal(findBreach([s({ errorsPerMinute: 9 }), s({ errorsPerMinute: 1 }), s({ errorsPerMinute: 9 })], null, twice), null)
  // An unreadable sample between two high ones neither breaks the run nor completes it.
  const samples = [s({ errorsPerMinute: 9 }), s({ errorsPerMinute: null, errorsProblem: 'timeout' })]
  assert.equal(findBreach(samples, null, twice), null)
  samples.push(s({ errorsPerMinute: 7 }))
  assert.equal(findBreach(samples, null, twice)?.reason, 'error rate 7/min above the limit of 5/min (2 readings in a row)')
})

test('breach: a quiet window is summarised with its numbers', () => {
  const samples = [s({ health: up, errorsPerMinute: 0 }), s({ health: down, errorsPerMinute: 1.5 }), s({ health: up, errorsPerMinute: 1 })]
  assert.equal(findBreach(samples, null, t), null)
  assert.equal(quietSummary(samples, { perMinute: 0, source: 'window-start' }, t), '3 samples, health 2/3 OK, errors at most 1.5/min (limit 5/min, baseline 0/min)')
})
