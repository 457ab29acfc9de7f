import { test } from 'node:test'
import assert from 'node:assert/strict'
import { estimateDuration, median, roughDuration, MAX_RUNS } from '../../../src/steps/announce/estimate.js'

test('estimate: median of passed runs only, newest MAX_RUNS of them', () => {
  assert.equal(median([3, 1, 2]), 2)
  assert.equal(median([4, 1, 3, 2]), 2.5)
  const min = 60_000
  const history = [
    { status: 'passed', durationMs: 20 * min },
    { status: 'passed', durationMs: null },
    { status: 'rollback-failed', durationMs: 90 * min },
    { status: 'passed', durationMs: 10 * min },
    { status: 'passed', durationMs: 30 * min },
    { status: 'passed', durationMs: 40 * min },
  ]
  assert.deepEqual(estimateDuration(history), { text: 'about 25 minutes (median of the last 4 successful runs)', medianMs: 25 * min, runs: 4 })
  // Old runs beyond the window do not count.
  const old = Array.from({ length: 30 }, (_, i) => ({ status: 'passed', durationMs: (i < MAX_RUNS ? 5 : 60) * min }))
  assert.equal(estimateDuration(old).medianMs, 5 * min)
  assert.deepEqual(estimateDuration([]), { text: '15-30 minutes', runs: 0 })
})

test('estimate: durations read as people say them', () => {
  assert.equal(roughDuration(400), '1 second')
  assert.equal(roughDuration(42_000), '42 seconds')
  assert.equal(roughDuration(89_000), '1 minute')
  assert.equal(roughDuration(12.4 * 60_000), '12 minutes')
  assert.equal(roughDuration(65 * 60_000), '1 hour 5 minutes')
  assert.equal(roughDuration(120 * 60_000), '2 hours')
})
