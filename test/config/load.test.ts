import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli } from '../support/cli.js'

// A provider file, so init writes a provider and the default plan's deploy step has one.
const RAILWAY = { 'railway.json': '{}' }
const URLS = { STAGING_URL: 'https://staging.terp-app.local', DATABASE_URL: 'mysql://deploy:pw-1234@127.0.0.1:3306/terp_staging' }

test('init writes a config that plans staging from DATABASE_URL and STAGING_URL alone', async () => {
  const dir = makeProject({}, { ...RAILWAY, 'pnpm-lock.yaml': '', 'package.json': JSON.stringify({ scripts: { 'db:push': 'drizzle-kit push' } }) })
  const init = await runCli(['init'], { cwd: dir })
  assert.equal(init.code, 0, init.stderr)
  const planned = await runCli(['plan', 'staging'], { cwd: dir, env: URLS })
  assert.equal(planned.code, 0, planned.stderr)
  assert.match(planned.stdout, /Plan for staging \(https:\/\/staging\.terp-app\.local\)/)
  assert.match(planned.stdout, /migrate\s+Apply database migrations \(pnpm db:push\)/)
  // No validation script: the title says what schema-verify does without one, not the default command.
  assert.match(planned.stdout, /schema-verify\s+Verify schema \(schema fingerprint only, no validation command\)/)
  assert.doesNotMatch(planned.stdout, /pw-1234/)
  const again = await runCli(['init'], { cwd: dir })
  assert.equal(again.code, 2)
  assert.match(again.stderr, /already exists/)
})

test('a missing variable names the key, the variable and the file; exit 2', async () => {
  const dir = makeProject({}, RAILWAY)
  await runCli(['init'], { cwd: dir })
  const result = await runCli(['plan', 'staging'], { cwd: dir, env: { STAGING_URL: URLS.STAGING_URL, DATABASE_URL: undefined } })
  assert.equal(result.code, 2)
  assert.match(result.stderr, /rollout\.config\.ts: environments\.staging\.database\.url: environment variable DATABASE_URL is not set/)
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace without --verbose')
})

test('values come from a .env file beside the config; the process environment wins', async () => {
  const dir = makeProject({}, RAILWAY)
  await runCli(['init'], { cwd: dir })
  writeFileSync(path.join(dir, '.env'), `STAGING_URL=https://from-dotenv.example\nDATABASE_URL=${URLS.DATABASE_URL}\n`)
  const fromFile = await runCli(['plan', 'staging'], { cwd: dir, env: { STAGING_URL: undefined, DATABASE_URL: undefined } })
  assert.equal(fromFile.code, 0, fromFile.stderr)
  assert.match(fromFile.stdout, /from-dotenv\.example/)
  const fromEnv = await runCli(['plan', 'staging'], { cwd: dir, env: { STAGING_URL: 'https://from-env.example', DATABASE_URL: undefined } })
  assert.match(fromEnv.stdout, /from-env\.example/)
})

test('bad input: each a short clear error and exit 2', async () => {
  const cases: { name: string; config?: string; args: string[]; expect: RegExp }[] = [
    { name: 'missing config', args: ['plan', 'staging'], expect: /no rollout\.config\.ts .* in .*\nhint: run `rollout init`/ },
    { name: 'config that throws', config: `throw new Error('boom at load')`, args: ['plan', 'staging'], expect: /rollout\.config\.mjs could not be loaded.*boom at load/ },
    { name: 'unknown environment', config: `export default { environments: { staging: { url: 'https://s.example' } } }`, args: ['plan', 'production'], expect: /unknown environment "production".*\nhint: environments defined there: staging/ },
    { name: 'wrong type', config: `export default { environments: { staging: { url: 'https://s.example', backups: { verify: 'thorough' } } } }`, args: ['plan', 'staging'], expect: /environments\.staging\.backups\.verify: expected one of "quick", "full"/ },
    { name: 'bad URL', config: `export default { environments: { staging: { url: 'staging.example' } } }`, args: ['plan', 'staging'], expect: /environments\.staging\.url: expected an http:\/\/ or https:\/\/ URL/ },
    { name: 'unknown key', config: `export default { environments: { staging: { url: 'https://s.example', helth: {} } } }`, args: ['plan', 'staging'], expect: /environments\.staging: unknown key "helth"/ },
    { name: 'bad duration', config: `export default { environments: { staging: { url: 'https://s.example', monitor: { window: 'half an hour' } } } }`, args: ['plan', 'staging'], expect: /environments\.staging\.monitor\.window: expected a duration such as/ },
    { name: 'unknown step kind', config: `export default { environments: { staging: { url: 'https://s.example', steps: { deploy: false }, add: [{ id: 'x', phase: 'smoke', kind: 'magic' }] } } }`, args: ['plan', 'staging'], expect: /environments\.staging\.add\[0\]\.kind: unknown step kind "magic"/ },
    { name: 'unknown command', config: `export default { environments: { staging: { url: 'https://s.example' } } }`, args: ['deploy-now'], expect: /unknown command/ },
  ]
  for (const c of cases) {
    const dir = makeProject({}, RAILWAY)
    if (c.config) writeFileSync(path.join(dir, 'rollout.config.mjs'), c.config)
    else rmSync(path.join(dir, 'rollout.config.mjs'))
    const result = await runCli(c.args, { cwd: dir })
    assert.equal(result.code, 2, `${c.name}: exit ${result.code}\n${result.stderr}`)
    assert.match(result.stderr, c.expect, c.name)
    assert.doesNotMatch(result.stderr, /\n\s+at /, `${c.name}: no stack trace without --verbose`)
  }
})

test('--verbose adds the stack trace', async () => {
  const dir = makeProject({}, RAILWAY)
  writeFileSync(path.join(dir, 'rollout.config.mjs'), `throw new Error('boom at load')`)
  const result = await runCli(['plan', 'staging', '--verbose'], { cwd: dir })
  assert.equal(result.code, 2)
  assert.match(result.stderr, /\n\s+at /)
})

test('a state folder that is a file is a clear error, exit 2', async () => {
  const dir = makeProject({ environments: { staging: { url: 'https://s.example', defaults: false, add: [{ id: 'a', phase: 'preflight', kind: 'command', options: { command: 'true' } }] } } })
  writeFileSync(path.join(dir, '.rollout'), 'not a folder')
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 2, result.stderr)
  assert.match(result.stderr, /cannot create the state folder .*\.rollout/)
})

test('env() values are strings while the config is evaluated: comparisons work, secret(env()) stays hidden, an unset variable still names its key', async () => {
  const dir = makeProject({}, RAILWAY)
  writeFileSync(path.join(dir, 'rollout.config.mjs'), `import { env, secret } from 'rollout'
const on = env('FEATURE_FLAG', '') === '1'
export default {
  environments: {
    staging: {
      url: on ? 'http://127.0.0.1:9/flag-on' : 'http://127.0.0.1:9/flag-off',
      defaults: false,
      add: [{ id: 'say', phase: 'preflight', kind: 'command', options: { command: 'echo "flag \${FLAG} token $TOKEN"', env: { FLAG: \`[\${env('FEATURE_FLAG', 'none')}]\`, TOKEN: secret(env('API_TOKEN')) } } }],
    },
    other: { url: env('NOT_SET_ANYWHERE_Y') },
  },
}
`)
  writeFileSync(path.join(dir, '.env'), 'FEATURE_FLAG=1\nAPI_TOKEN=tok-5678-abcd\n')
  const planned = await runCli(['plan', 'staging'], { cwd: dir, env: { FEATURE_FLAG: undefined, API_TOKEN: undefined } })
  assert.equal(planned.code, 0, planned.stderr)
  assert.match(planned.stdout, /flag-on/)
  const run = await runCli(['run', 'staging'], { cwd: dir, env: { FEATURE_FLAG: undefined, API_TOKEN: undefined } })
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const { readRecord } = await import('../support/record.js')
  const { steps, runs } = await readRecord(dir)
  const say = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'say')!
  assert.ok(say, 'the step ran')
  const all = run.stdout + JSON.stringify(say)
  assert.doesNotMatch(all, /tok-5678-abcd/)
  const off = await runCli(['plan', 'staging'], { cwd: dir, env: { FEATURE_FLAG: '0', API_TOKEN: undefined } })
  assert.match(off.stdout, /flag-off/)
  const missing = await runCli(['plan', 'other'], { cwd: dir, env: { FEATURE_FLAG: undefined } })
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /environments\.other\.url: environment variable NOT_SET_ANYWHERE_Y is not set/)
})
