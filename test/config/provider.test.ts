import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeProject, runCli } from '../support/cli.js'

const env = (provider: unknown) => ({ environments: { staging: { url: 'https://s.example', provider } } })

// Each of these used to pass `rollout plan` and fail only in the deploy step, after the migration.
test('provider settings are checked by the provider\'s own schema when the plan is built', async () => {
  const cases: { provider: unknown; expect: RegExp }[] = [
    { provider: { kind: 'heroku' }, expect: /environments\.staging\.provider\.kind: unknown provider "heroku" \(known providers: command, digitalocean, local, railway, vercel\)/ },
    { provider: { kind: 'local', port: 8443 }, expect: /environments\.staging\.provider\.start: missing; expected string/ },
    { provider: { kind: 'local', start: 'node server.js', port: 'eighty' }, expect: /environments\.staging\.provider\.port: expected number, got a string/ },
    { provider: { kind: 'local', start: 'node server.js', port: 99999 }, expect: /environments\.staging\.provider\.port: expected a number <= 65535, got 99999/ },
    { provider: { kind: 'command', deploy: 'x', rollbak: 'y' }, expect: /environments\.staging\.provider: unknown key "rollbak" \(valid keys: kind, deploy, rollback, takeDown, status/ },
  ]
  for (const c of cases) {
    const result = await runCli(['plan', 'staging'], { cwd: makeProject(env(c.provider)) })
    assert.equal(result.code, 2, `${JSON.stringify(c.provider)}: exit ${result.code}\n${result.stderr}`)
    assert.match(result.stderr, c.expect)
    assert.doesNotMatch(result.stderr, /\n\s+at /)
  }
})

test('a valid provider section plans, with its defaults applied', async () => {
  const result = await runCli(['plan', 'staging', '--json'], { cwd: makeProject(env({ kind: 'local', start: 'node server.js', port: 8443 })) })
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /"deploy"/)
})
