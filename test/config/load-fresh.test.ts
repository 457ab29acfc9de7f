import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ROOT, tempDir } from '../support/cli.js'

// The loader as built, as an installed rollout runs it. Run from its sources instead, the loader would
// alias the config's 'rollout' to src/index.ts, which it would then transpile afresh on every load.
const { loadConfig } = (await import(path.join(ROOT, 'dist/config/load.js'))) as typeof import('../../src/config/load.js')

// `rollout demo --quickstart` loads one config twice in one process, RELEASE changed between the
// loads. In an app where rollout is installed, Node itself can resolve the config's `from 'rollout'`,
// and an ES module config (.mjs, or .js in a "type": "module" app) evaluated by Node's own import is
// cached by its URL: the second load returned the first evaluation, env('RELEASE') and all.

/** An app with rollout in its node_modules, as an install leaves it, and `files` written into it. */
function installedApp(files: Record<string, string>): string {
  const dir = tempDir('rollout-fresh-')
  mkdirSync(path.join(dir, 'node_modules'))
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'rollout'), 'dir')
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
  return dir
}

const CONFIG = `import { defineConfig, env } from 'rollout'
export default defineConfig({ environments: { staging: { url: 'https://s.example', release: env('RELEASE', 'none') } } })
`

async function releaseLoaded(cwd: string, release: string): Promise<unknown> {
  const loaded = await loadConfig({ cwd, env: { RELEASE: release } })
  return (loaded.raw.environments as Record<string, { release?: unknown }>).staging?.release
}

const cases: { name: string; files: Record<string, string> }[] = [
  { name: 'rollout.config.mjs', files: { 'rollout.config.mjs': CONFIG } },
  { name: 'rollout.config.js in a "type": "module" app', files: { 'rollout.config.js': CONFIG, 'package.json': '{ "type": "module" }' } },
  { name: 'rollout.config.ts', files: { 'rollout.config.ts': CONFIG } },
]

for (const c of cases) {
  test(`${c.name} is evaluated afresh by every load: the second load sees the second environment`, async () => {
    const dir = installedApp(c.files)
    assert.equal(await releaseLoaded(dir, 'good'), 'good')
    assert.equal(await releaseLoaded(dir, 'broken'), 'broken')
    assert.equal(await releaseLoaded(dir, 'good'), 'good')
  })
}

test('a file the config imports resolves beside it, and a config without a default export still says so', async () => {
  const dir = installedApp({
    'release.mjs': `export const name = 'from-helper'\n`,
    'rollout.config.mjs': `import { name } from './release.mjs'\nexport default { environments: { staging: { url: 'https://s.example', release: name } } }\n`,
  })
  assert.equal(await releaseLoaded(dir, 'x'), 'from-helper')
  writeFileSync(path.join(dir, 'rollout.config.mjs'), `export const config = {}\n`)
  await assert.rejects(loadConfig({ cwd: dir }), /has no default export \(it exports config\)/)
})
