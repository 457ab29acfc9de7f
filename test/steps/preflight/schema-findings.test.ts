import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import schemaValidation from '../../../src/steps/preflight/schema-validation.js'
import { gate } from './harness.js'
import { ROOT } from '../../support/cli.js'

/** A validator shaped like TERP's validate:schema; what it finds comes from issues.json, which each test writes. */
const VALIDATOR = path.join(ROOT, 'test/fixtures/schema-validator.mjs')

const longtext = (table: string, column: string) => ({ table, column, category: 'DataType', severity: 'High', description: `Data type mismatch: DB="longtext" vs Drizzle="json" (${Math.random()})` })
const KNOWN = [longtext('orders', 'items'), longtext('clients', 'tags'), longtext('batches', 'meta')]

function project(t: { after(fn: () => void): void }, issues: unknown[], baseline?: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-findings-'))
  copyFileSync(VALIDATOR, path.join(dir, 'validate.mjs'))
  writeFileSync(path.join(dir, 'issues.json'), JSON.stringify(issues))
  if (baseline) writeFileSync(path.join(dir, 'schema-validation-baseline.json'), JSON.stringify({ version: 1, count: baseline.length, findings: baseline }))
  const h = gate(t, schemaValidation, { cwd: dir, options: { command: 'node validate.mjs', report: { file: 'schema-validation-report.json' } } })
  return h
}

const names = ['orders · items · DataType', 'clients · tags · DataType', 'batches · meta · DataType']

test('known findings only: the validator exits 1, the gate passes, naming how many it compared (messages may change)', async (t) => {
  const h = project(t, KNOWN, names)
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.summary, '3 schema findings, all in the baseline')
  assert.deepEqual({ ...outcome.data, durationMs: undefined }, { exitCode: 1, durationMs: undefined, findings: 3, baseline: 3, newFindings: 0, fixed: 0 })
  assert.match(h.readEvidence('output.log'), /Total Issues: 3/)
  assert.deepEqual(JSON.parse(h.readEvidence('schema-findings.json')).added, [])
})

test('a new finding fails the gate and is named; a fixed one is said, with the command that locks it in', async (t) => {
  const h = project(t, [KNOWN[0], KNOWN[1], { table: 'order_lines', column: 'discount', category: 'Extra', severity: 'Medium', description: 'exists in Drizzle schema but not in database' }], names)
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, '1 new schema finding not in the baseline (3 in all, 3 known): order_lines · discount · Extra; 1 fixed — run `rollout baseline update staging schema` to lock that in')
})

test('the same finding twice against one known: one is new (findings are counted, not just named)', async (t) => {
  const outcome = await project(t, [KNOWN[0], KNOWN[0]], [names[0]!]).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^1 new schema finding/)
})

test('without a baseline file every finding is new, and the log says how to write one', async (t) => {
  const h = project(t, KNOWN)
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^3 new schema findings not in the baseline \(3 in all, 0 known\)/)
  assert.ok(h.logs.some((l) => /no baseline file schema-validation-baseline\.json: every finding counts as new \(write one with `rollout baseline update staging schema`\)/.test(l)), h.logs.join('\n'))
})

test('a validator that fails before writing its report fails the gate, and an older report left behind is not read', async (t) => {
  const h = project(t, KNOWN, names)
  // A report from an earlier run, all known: reading it would pass.
  const report = path.join(h.cwd, 'schema-validation-report.json')
  writeFileSync(report, JSON.stringify({ allIssues: KNOWN }))
  const old = new Date(Date.now() - 3_600_000)
  utimesSync(report, old, old)
  writeFileSync(path.join(h.cwd, 'validate.mjs'), "console.error('DATABASE_URL environment variable is required'); process.exit(1)\n")
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'exit code 1: DATABASE_URL environment variable is required; it wrote no schema-validation-report.json')
})

test('exit 1 with a report listing no finding fails (the command failed for another reason); exit 0 without a report is a warning, not a pass', async (t) => {
  const empty = project(t, [], names)
  writeFileSync(path.join(empty.cwd, 'validate.mjs'), "import { writeFileSync } from 'node:fs'\nwriteFileSync('schema-validation-report.json', JSON.stringify({ allIssues: [] }))\nprocess.exit(1)\n")
  const failed = await empty.run()
  assert.equal(failed.status, 'failed')
  assert.match(failed.summary, /the report lists no finding, so the command failed for another reason$/)

  const silent = project(t, [], names)
  writeFileSync(path.join(silent.cwd, 'validate.mjs'), "console.log('ok')\n")
  const warned = await silent.run()
  assert.equal(warned.status, 'warning')
  assert.match(warned.summary, /^exit code 0 in \d+ ms, but it wrote no schema-validation-report\.json: no findings compared$/)
})

test('a report without the list where `list` says fails naming the path', async (t) => {
  const h = project(t, [], names)
  writeFileSync(path.join(h.cwd, 'validate.mjs'), "import { writeFileSync } from 'node:fs'\nwriteFileSync('schema-validation-report.json', JSON.stringify({ issues: [] }))\nprocess.exit(1)\n")
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^schema-validation-report\.json: expected a list of findings at "allIssues", found nothing \(exit code 1/)
})
