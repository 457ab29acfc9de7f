import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { BIN, ROOT, tempDir } from '../support/cli.js'

const HEAVY = ['/node_modules/mysql2/', '/node_modules/playwright-core/', '/node_modules/nodemailer/']

function loadedBy(args: string[], cwd: string): string[] {
  const trace = path.join(tempDir('trace-'), 'imports.txt')
  writeFileSync(trace, '')
  const result = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/support/trace-imports.mjs'), BIN, ...args], {
    cwd,
    env: { ...process.env, TRACE_IMPORTS_FILE: trace, STAGING_URL: 'https://staging.example.test', DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/app' },
    encoding: 'utf8',
  })
  assert.equal(result.status, 0, result.stderr)
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean)
}

test('--help and plan load no database driver, browser or mailer', () => {
  const dir = tempDir('rollout-startup-')
  // A provider file, so init writes a provider and the plan's deploy step has one.
  writeFileSync(path.join(dir, 'railway.json'), '{}')
  spawnSync(process.execPath, [BIN, 'init'], { cwd: dir })
  // A notify list with an e-mail channel: checking it at the config boundary must not load the mailer.
  const config = path.join(dir, 'rollout.config.ts')
  writeFileSync(config, readFileSync(config, 'utf8').replace("monitor: { window: '30m' },", "monitor: { window: '30m' },\n      notify: [{ kind: 'email', host: 'smtp.example.test', from: 'a@example.test', to: 'b@example.test' }, { kind: 'slack', webhook: 'https://hooks.example.test/x' }],"))
  for (const args of [['--help'], ['plan', 'staging'], ['plan', 'staging', '--json']]) {
    const loaded = loadedBy(args, dir)
    assert.ok(loaded.some((u) => u.includes('/dist/cli/main.js')), 'the trace hook saw nothing')
    if (args[0] === 'plan') assert.ok(loaded.some((u) => u.endsWith('/dist/adapters/notifiers/config.js')), 'the notify list was not checked')
    for (const heavy of HEAVY) {
      assert.deepEqual(loaded.filter((u) => u.includes(heavy)), [], `rollout ${args.join(' ')} loaded ${heavy}`)
    }
  }
})
