import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

/**
 * The layers, as the README's Development section describes them: the CLI parses, calls the
 * application layer and renders; the engine runs any plan with whatever store and kinds it is
 * given; the demo's parts stay out of everything the product runs.
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url))

function filesUnder(folder: string): string[] {
  return readdirSync(path.join(SRC, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(folder, f))
}

/** Every module a file reaches, static, dynamic or type-only, as a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:from\s*|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!)
  return specifiers.map((s) => path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), s)))
}

function offenders(folders: string[], forbidden: string[]): string[] {
  return folders.flatMap(filesUnder).flatMap((file) => importsOf(file).filter((to) => forbidden.some((f) => to.startsWith(`${f}/`))).map((to) => `${file} → ${to}`))
}

test('the CLI imports no adapter and no step: it parses, calls src/app and renders', () => {
  assert.deepEqual(offenders(['cli'], ['adapters', 'steps']), [])
})

test('the dashboard reads through the application layer: no adapter, step or engine module', () => {
  assert.deepEqual(offenders(['server'], ['adapters', 'steps', 'engine', 'sandbox', 'demo']), [])
})

test('the engine imports no adapter, report, step, application or front-end module', () => {
  assert.deepEqual(offenders(['engine'], ['adapters', 'reports', 'steps', 'app', 'cli', 'sandbox', 'demo']), [])
})

test('nothing the product runs imports the demo or its sandbox', () => {
  assert.deepEqual(offenders(['engine', 'steps', 'app', 'plan', 'config', 'reports', 'adapters', 'shared', 'server'], ['sandbox', 'demo']), [])
})

test('the check finds an import where there is one', () => {
  // Guards the guard: the CLI's main module does reach the application layer.
  assert.ok(importsOf('cli/main.ts').some((to) => to.startsWith('app/')))
})
