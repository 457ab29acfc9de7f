import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT, makeProject, runCli } from '../support/cli.js'

const TSC = path.join(ROOT, 'node_modules/.bin/tsc')

// Without the standard library (and with the few global types tsc requires) a real tsc run stays short.
const MINIMAL_GLOBALS = ['Array<T> { length: number }', 'Boolean {}', 'Function {}', 'CallableFunction {}', 'NewableFunction {}', 'IArguments {}', 'Number {}', 'Object {}', 'RegExp {}', 'String {}']
  .map((type) => `interface ${type}`)
  .join('\n')

test('baseline update writes the baseline file from today\'s errors, and the typescript-baseline gate then passes', async () => {
  const dir = makeProject(
    {
      environments: {
        staging: {
          url: 'https://staging.example.test',
          defaults: false,
          preflight: { typecheck: `${TSC} -p .` },
          add: [{ id: 'typescript-baseline', phase: 'preflight', kind: 'typescript-baseline' }],
        },
      },
    },
    { 'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, noLib: true, types: [] }, include: ['src'] }) },
  )
  mkdirSync(path.join(dir, 'src'))
  writeFileSync(path.join(dir, 'src/globals.d.ts'), MINIMAL_GLOBALS)
  writeFileSync(path.join(dir, 'src/orders.ts'), "export const total: number = 'ten'\n")

  const before = await runCli(['check', 'staging', '--phase', 'preflight'], { cwd: dir })
  assert.equal(before.code, 1, 'without a baseline the existing error counts as new')

  const update = await runCli(['baseline', 'update', 'staging'], { cwd: dir })
  assert.equal(update.code, 0, update.stderr)
  assert.match(update.stdout, /^Baseline now holds 1 TypeScript error \(new file\) in typescript-baseline\.json$/m)
  const written = JSON.parse(readFileSync(path.join(dir, 'typescript-baseline.json'), 'utf8'))
  assert.deepEqual(written.errors, [{ file: 'src/orders.ts', code: 'TS2322', message: "Type 'string' is not assignable to type 'number'." }])

  const after = await runCli(['check', 'staging', '--phase', 'preflight'], { cwd: dir })
  assert.equal(after.code, 0, after.stdout)
  assert.match(after.stdout, /1 TypeScript error, none new \(baseline 1\)/)

  // A second error: the update says what changed since the last baseline.
  writeFileSync(path.join(dir, 'src/calendar.ts'), 'export const when: string = 2026\n')
  const again = await runCli(['baseline', 'update', 'staging', '--json'], { cwd: dir })
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual({ ...JSON.parse(again.stdout), file: undefined }, { step: 'typescript-baseline', file: undefined, format: 'errors', count: 2, previous: 1, added: 1, removed: 0 })
})

test('baseline update says so when the plan has no typescript-baseline step', async () => {
  const dir = makeProject({ environments: { staging: { url: 'https://staging.example.test', provider: { kind: 'command', deploy: './deploy.sh {release}' }, steps: { 'typescript-baseline': false } } } })
  const run = await runCli(['baseline', 'update', 'staging'], { cwd: dir })
  assert.equal(run.code, 2)
  assert.match(run.stderr, /the plan for staging has no typescript-baseline step \(it is switched off\)/)
})

test('baseline update staging schema writes the validator\'s findings, and the schema-validation gate then passes; a new finding fails it', async () => {
  const issue = (table: string, column: string) => ({ table, column, category: 'DataType', severity: 'High', description: 'DB="longtext" vs Drizzle="json"' })
  const dir = makeProject(
    {
      environments: {
        staging: {
          url: 'https://staging.example.test',
          defaults: false,
          preflight: { schemaValidation: 'node validate.mjs' },
          add: [{ id: 'schema-validation', phase: 'preflight', kind: 'schema-validation', options: { report: { file: 'schema-validation-report.json' } } }],
        },
      },
    },
    { 'issues.json': JSON.stringify([issue('orders', 'items'), issue('clients', 'tags')]) },
  )
  copyFileSync(path.join(ROOT, 'test/fixtures/schema-validator.mjs'), path.join(dir, 'validate.mjs'))

  const before = await runCli(['check', 'staging', '--phase', 'preflight'], { cwd: dir })
  assert.equal(before.code, 1, 'without a baseline both findings count as new')
  assert.match(before.stdout, /2 new schema findings not in the baseline/)

  const update = await runCli(['baseline', 'update', 'staging', 'schema'], { cwd: dir })
  assert.equal(update.code, 0, update.stderr)
  assert.match(update.stdout, /^Baseline now holds 2 schema findings \(new file\) in schema-validation-baseline\.json$/m)
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'schema-validation-baseline.json'), 'utf8')).findings, ['clients · tags · DataType', 'orders · items · DataType'])

  const after = await runCli(['check', 'staging', '--phase', 'preflight'], { cwd: dir })
  assert.equal(after.code, 0, after.stdout)
  assert.match(after.stdout, /2 schema findings, all in the baseline/)

  writeFileSync(path.join(dir, 'issues.json'), JSON.stringify([issue('orders', 'items'), issue('clients', 'tags'), issue('order_lines', 'discount')]))
  const broken = await runCli(['check', 'staging', '--phase', 'preflight'], { cwd: dir })
  assert.equal(broken.code, 1)
  assert.match(broken.stdout, /1 new schema finding not in the baseline \(3 in all, 2 known\): order_lines · discount · DataType/)

  const unknown = await runCli(['baseline', 'update', 'staging', 'types'], { cwd: dir })
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown baseline "types"; expected typescript or schema/)
})
