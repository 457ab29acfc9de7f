import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import schemaValidation from '../../../src/steps/preflight/schema-validation.js'
import unitTests from '../../../src/steps/preflight/unit-tests.js'
import { parseTestCounts } from '../../../src/steps/preflight/test-summary.js'
import { gate } from './harness.js'

test("schema-validation runs the environment's command and keeps its output as evidence", async (t) => {
  const h = gate(t, schemaValidation, {
    environment: { preflight: { schemaValidation: `node -e "console.log('checked 14 tables'); console.error('column orders.note: nullable mismatch'); process.exit(1)"` } },
  })
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'exit code 1: column orders.note: nullable mismatch')
  const log = h.readEvidence('output.log')
  assert.match(log, /checked 14 tables/)
  assert.match(log, /--- stderr ---\ncolumn orders\.note: nullable mismatch/)
  assert.ok(h.logs.includes('checked 14 tables'))
})

test('schema-validation: the step option overrides the default, and an expected pattern must match', async (t) => {
  const ok = await gate(t, schemaValidation, { options: { command: 'echo schema valid', expect: '^schema valid$' } }).run()
  assert.equal(ok.status, 'passed', ok.summary)
  const wrong = await gate(t, schemaValidation, { options: { command: 'echo nothing checked', expect: '^schema valid$' } }).run()
  assert.equal(wrong.status, 'failed')
  assert.equal(wrong.summary, 'exit code 0 but the output does not match /^schema valid$/')
})

test('unit-tests runs a real test runner and reports its counts', async (t) => {
  const h0 = gate(t, unitTests, {})
  const file = path.join(h0.cwd, 'orders.test.mjs')
  writeFileSync(file, [
    "import { test } from 'node:test'",
    "import assert from 'node:assert/strict'",
    "test('total', () => assert.equal(1 + 1, 2))",
    "test('tax', () => assert.equal(0.1 + 0.2, 0.3))",
    "test('later', { skip: true }, () => {})",
  ].join('\n'))
  // The runner here is itself under node:test, whose context variable would change the inner run's output.
  const h = gate(t, unitTests, { cwd: h0.cwd, environment: { preflight: { unitTests: 'env -u NODE_TEST_CONTEXT node --test --test-reporter=tap orders.test.mjs' } } })
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary.split(';')[0], '1 passed, 1 failed, 1 skipped')
  assert.deepEqual(outcome.data?.tests, { total: 3, passed: 1, failed: 1, skipped: 1 })
  assert.match(h.readEvidence('output.log'), /not ok 2 - tax/)
})

test('unit-tests fails on reported failures even when the command exits 0', async (t) => {
  const outcome = await gate(t, unitTests, { options: { command: "printf 'Tests:       1 failed, 41 passed, 42 total\\n'" } }).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^41 passed, 1 failed; exit code 0 in \d+ ms$/)
})

test('test counts are read from vitest, jest, node:test and mocha summaries', () => {
  assert.deepEqual(parseTestCounts(' Test Files  1 failed | 3 passed (4)\n      Tests  2 failed | 40 passed | 1 skipped (43)\n'), { failed: 2, passed: 40, skipped: 1, total: 43 })
  assert.deepEqual(parseTestCounts('Tests:       1 failed, 41 passed, 42 total'), { failed: 1, passed: 41, total: 42 })
  assert.deepEqual(parseTestCounts('ℹ tests 5\nℹ suites 0\nℹ pass 5\nℹ fail 0\nℹ skipped 0'), { total: 5, passed: 5, failed: 0, skipped: 0 })
  assert.deepEqual(parseTestCounts('  12 passing (40ms)\n  1 pending\n  2 failing\n'), { passed: 12, skipped: 1, failed: 2 })
  assert.equal(parseTestCounts('build ok'), null)
})
