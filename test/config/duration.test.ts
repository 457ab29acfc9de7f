import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatDuration } from '../../src/config/duration.js'

test('formatDuration rounds before it splits units: no "60s", "60.0s" or "1000ms"', () => {
  const cases: [number, string][] = [
    [0, '0ms'], [999.4, '999ms'], [999.6, '1.0s'], [1500, '1.5s'], [59_940, '59.9s'], [59_960, '1m'],
    [60_000, '1m'], [61_000, '1m 1s'], [119_400, '1m 59s'], [119_700, '2m'], [3_599_400, '59m 59s'],
    [3_599_600, '1h'], [3_660_000, '1h 1m'], [7_170_000, '2h'],
  ]
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`)
})

