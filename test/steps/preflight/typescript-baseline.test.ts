import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import typescriptBaseline, { updateTypescriptBaseline } from '../../../src/steps/preflight/typescript-baseline.js'
import { environmentSchema } from '../../../src/config/schema.js'
import { gate, tempDir } from './harness.js'

const TSC = fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url))

// noLib with the handful of global types tsc insists on keeps each real tsc run under a second.
const GLOBALS = ['Array<T> { length: number }', 'Boolean {}', 'Function {}', 'CallableFunction {}', 'NewableFunction {}', 'IArguments {}', 'Number {}', 'Object {}', 'RegExp {}', 'String {}']
  .map((i) => `interface ${i}`)
  .join('\n')

/** A tiny real TypeScript project; `files` are the sources under src/. */
function fixture(t: { after(fn: () => void): void }, files: Record<string, string>): { dir: string; write(files: Record<string, string>): void } {
  const dir = tempDir(t, 'rollout-tsc-')
  mkdirSync(path.join(dir, 'src'))
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, noLib: true, types: [] }, include: ['src'] }))
  const write = (more: Record<string, string>) => {
    for (const [name, text] of Object.entries({ 'globals.d.ts': GLOBALS, ...more })) writeFileSync(path.join(dir, 'src', name), text)
  }
  write(files)
  return { dir, write }
}

const environment = { preflight: { typecheck: `${TSC} -p .` } }

test('typescript-baseline: a fixed error and a new one do not cancel out, and moved lines change nothing', async (t) => {
  const project = fixture(t, {
    'orders.ts': "export const total: number = 'ten'\n",
    'clients.ts': 'export function name(c: { first: string }) { return c.last }\n',
  })
  const update = await updateTypescriptBaseline({ cwd: project.dir, environment: environmentSchema.parse({ url: 'https://s.example', ...environment }) })
  assert.deepEqual({ ...update, file: path.basename(update.file) }, { file: 'typescript-baseline.json', format: 'errors', count: 2, previous: null, added: 2, removed: 0 })
  const written = JSON.parse(readFileSync(update.file, 'utf8'))
  assert.deepEqual(written.errors, [
    { file: 'src/clients.ts', code: 'TS2339', message: "Property 'last' does not exist on type '{ first: string; }'." },
    { file: 'src/orders.ts', code: 'TS2322', message: "Type 'string' is not assignable to type 'number'." },
  ])

  // The same errors on other lines: still the same errors.
  project.write({ 'orders.ts': "\n\n// totals\nexport const total: number = 'ten'\n" })
  const moved = await gate(t, typescriptBaseline, { cwd: project.dir, environment }).run()
  assert.equal(moved.status, 'passed', moved.summary)
  assert.equal(moved.summary, '2 TypeScript errors, none new (baseline 2)')

  // One fixed, one new: the count stays at 2, the gate still fails and names the new one.
  project.write({
    'orders.ts': 'export const total: number = 10\n',
    'calendar.ts': 'export const when: string = 2026\n',
  })
  const h = gate(t, typescriptBaseline, { cwd: project.dir, environment })
  const changed = await h.run()
  assert.equal(changed.status, 'failed')
  assert.equal(
    changed.summary,
    "1 new TypeScript error (now 2, baseline 2; 1 fixed — run `rollout baseline update` to lock that in): src/calendar.ts(1,14): TS2322 Type 'number' is not assignable to type 'string'.",
  )
  assert.deepEqual(changed.data, { errors: 2, baseline: 2, baselineKind: 'errors', newErrors: 1, fixed: 1 })
  assert.match(h.readEvidence('typecheck.log'), /src\/calendar\.ts\(1,14\): error TS2322/)
})

test('typescript-baseline: a plain number is a count baseline, and an update keeps it a number', async (t) => {
  const project = fixture(t, {
    'a.ts': "export const a: number = 'a'\n",
    'b.ts': "export const b: number = 'b'\n",
    'c.ts': "export const c: number = 'c'\n",
  })
  writeFileSync(path.join(project.dir, 'ts-errors.txt'), '2\n')
  const options = { command: `${TSC} -p . --pretty`, baseline: 'ts-errors.txt' }
  const over = await gate(t, typescriptBaseline, { cwd: project.dir, options }).run()
  assert.equal(over.status, 'failed')
  assert.equal(over.summary, '3 TypeScript errors, more than the baseline of 2 (a count baseline cannot say which are new)')

  const update = await updateTypescriptBaseline({ cwd: project.dir, environment: environmentSchema.parse({ url: 'https://s.example' }), options })
  assert.equal(update.format, 'count')
  assert.equal(readFileSync(path.join(project.dir, 'ts-errors.txt'), 'utf8'), '3\n')

  const inline = await gate(t, typescriptBaseline, { cwd: project.dir, options: { command: options.command, baseline: 3 } }).run()
  assert.equal(inline.status, 'passed', inline.summary)
  assert.equal(inline.summary, '3 TypeScript errors, baseline 3')
})

test('typescript-baseline: a command that fails without diagnostics fails the gate and never writes a baseline', async (t) => {
  const dir = tempDir(t, 'rollout-tsc-')
  writeFileSync(path.join(dir, 'typescript-baseline.json'), '{"version":1,"count":4,"errors":[]}\n')
  const options = { command: "echo 'tsc: not found' >&2; exit 127" }
  const outcome = await gate(t, typescriptBaseline, { cwd: dir, options }).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, "`echo 'tsc: not found' >&2; exit 127` exited 127 without printing any TypeScript diagnostic: tsc: not found")
  await assert.rejects(
    () => updateTypescriptBaseline({ cwd: dir, environment: environmentSchema.parse({ url: 'https://s.example' }), options }),
    /^RolloutError: baseline not updated: `echo 'tsc: not found' >&2; exit 127` exited 127/,
  )
  assert.equal(readFileSync(path.join(dir, 'typescript-baseline.json'), 'utf8'), '{"version":1,"count":4,"errors":[]}\n')
})

test('typescript-baseline: without a baseline file every error is new', async (t) => {
  const project = fixture(t, { 'a.ts': "export const a: number = 'a'\n" })
  const h = gate(t, typescriptBaseline, { cwd: project.dir, environment })
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^1 new TypeScript error \(now 1, baseline 0\): src\/a\.ts\(1,14\): TS2322/)
  assert.ok(h.logs.some((l) => l.startsWith('no baseline file typescript-baseline.json')))
})

test('tsc output is read in both styles, with message chains, absolute paths and errors about no file', async () => {
  const { parseTscOutput } = await import('../../../src/steps/preflight/typescript-diagnostics.js')
  const plain = [
    "/repo/app/src/orders.ts(12,5): error TS2322: Type '{ id: string; }' is not assignable to type 'Order'.",
    "  Property 'total' is missing in type '{ id: string; }' but required in type 'Order'.",
    "error TS5083: Cannot read file '/repo/app/tsconfig.base.json'.",
    'Found 2 errors.',
  ].join('\n')
  assert.deepEqual(parseTscOutput(plain, '/repo/app'), [
    { file: 'src/orders.ts', line: 12, column: 5, category: 'error', code: 'TS2322', message: "Type '{ id: string; }' is not assignable to type 'Order'.", detail: "Property 'total' is missing in type '{ id: string; }' but required in type 'Order'." },
    { file: '', category: 'error', code: 'TS5083', message: "Cannot read file '/repo/app/tsconfig.base.json'." },
  ])
  const pretty = "\u001b[96msrc\\orders.ts\u001b[0m:\u001b[93m3\u001b[0m:\u001b[93m7\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS2322: \u001b[0mType 'string' is not assignable to type 'number'.\n\n\u001b[7m3\u001b[0m const a: number = 'x'\n\u001b[7m \u001b[0m \u001b[91m      ~\u001b[0m\n"
  assert.deepEqual(parseTscOutput(pretty), [{ file: 'src/orders.ts', line: 3, column: 7, category: 'error', code: 'TS2322', message: "Type 'string' is not assignable to type 'number'." }])
})
