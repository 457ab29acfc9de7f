import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli, stepsOnly } from '../support/cli.js'

const STEP = [{ id: 'touch', phase: 'preflight', kind: 'command', options: { command: 'touch ran' } }]

test('a bad notify entry is a config error naming its key path, before anything runs', async () => {
  const dir = makeProject(stepsOnly(STEP, {
    notify: [
      { kind: 'console' },
      { kind: 'slack', webhook: 'hooks.slack.com/services/T0/B0/secret-part' },
      { kind: 'webhook', url: 'https://hooks.example/x' },
    ],
  }))
  for (const args of [['plan', 'staging'], ['run', 'staging']]) {
    const result = await runCli(args, { cwd: dir })
    assert.equal(result.code, 2, `${args.join(' ')}: exit ${result.code}\n${result.stdout}${result.stderr}`)
    assert.match(result.stderr, /rollout\.config\.mjs:\nenvironments\.staging\.notify\[1\]\.webhook: expected an http:\/\/ or https:\/\/ URL\nenvironments\.staging\.notify\[2\]\.secret: missing; expected string/)
    // The value is never echoed back: a misplaced webhook is still a secret.
    assert.doesNotMatch(result.stderr, /secret-part/)
  }
  assert.ok(!existsSync(path.join(dir, 'ran')), 'a step ran despite the bad config')
  assert.ok(!existsSync(path.join(dir, '.rollout', 'rollout.db')), 'a run was recorded despite the bad config')
})

test('an unknown notify kind names the kinds there are', async () => {
  const dir = makeProject(stepsOnly(STEP, { notify: [{ kind: 'teams', url: 'https://x.example' }] }))
  const result = await runCli(['plan', 'staging'], { cwd: dir })
  assert.equal(result.code, 2)
  assert.match(result.stderr, /environments\.staging\.notify\[0\]\.kind: expected one of "console", "slack", "webhook", "email", got "teams"/)
})
