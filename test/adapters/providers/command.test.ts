import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createProvider } from '../../../src/adapters/providers/index.js'
import { fillPlaceholders, parseDeploymentOutput, parseStatusOutput } from '../../../src/adapters/providers/command.js'
import { callOptions, redactor } from './helpers.js'

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-cmd-provider-'))
}

test('placeholders are shell-quoted, so a release name cannot add shell syntax', () => {
  assert.equal(fillPlaceholders('deploy {release} --env {environment}', { release: 'v1.2.3', environment: 'staging' }), 'deploy v1.2.3 --env staging')
  assert.equal(fillPlaceholders('deploy {release}', { release: "x; rm -rf / 'y'" }), `deploy 'x; rm -rf / '\\''y'\\'''`)
  assert.throws(() => fillPlaceholders('rollback {previousDeploymentId}', {}), /uses \{previousDeploymentId\} but there is no value/)
})

test('deployment ids and states are read from the last line or from JSON', () => {
  assert.deepEqual(parseDeploymentOutput('building…\nuploaded\n  d-42  \n\n'), { id: 'd-42' })
  assert.deepEqual(parseDeploymentOutput('log line\n{"id": "abc", "status": "queued"}'), { id: 'abc', status: 'queued', url: undefined })
  assert.equal(parseDeploymentOutput('   \n'), null)
  assert.deepEqual(parseStatusOutput('checking\nLIVE\n'), { status: 'LIVE', live: true, failed: false })
  assert.deepEqual(parseStatusOutput('{"status":"crashed"}'), { status: 'crashed', live: false, failed: true })
  assert.deepEqual(parseStatusOutput('{"status":"rolling","live":false}'), { status: 'rolling', live: false, failed: false })
})

test('deploys, follows, rolls back and reads logs with the team\'s own commands', async () => {
  const dir = tempDir()
  try {
    // A tiny "platform": files hold what is live and each deployment's state.
    const script = (body: string) => body.replace(/\n\s+/g, '\n')
    const ctx = { cwd: dir, env: { ...process.env, DEPLOY_SECRET: 'very-secret-token' }, redactor: redactor(), environmentName: 'staging' }
    ctx.redactor.add('very-secret-token')
    const provider = await createProvider(
      {
        kind: 'command',
        current: 'cat live',
        deploy: script(`echo "uploading {release} to {environment} with $DEPLOY_SECRET"
          id="d-$ROLLOUT_RELEASE"; echo 0 > "$id.polls"; echo "$id"`),
        status: script(`n=$(cat {deploymentId}.polls 2>/dev/null || echo 9); echo $((n+1)) > {deploymentId}.polls
          if [ "$n" -ge 2 ]; then echo {deploymentId} > live; echo live; else echo building; fi`),
        rollback: 'echo {previousDeploymentId} > live && echo "rolled back to $ROLLOUT_PREVIOUS_DEPLOYMENT_ID"',
        logs: `printf '%s\\n' '{"timestamp":"2026-01-01T00:00:00Z","level":"error","message":"boom"}' 'plain line' | tail -n {lines}`,
        pollInterval: '10ms',
      },
      ctx,
    )
    fs.writeFileSync(path.join(dir, 'live'), 'd-v1\n')
    const opts = callOptions()

    assert.deepEqual(await provider.current(opts), { id: 'd-v1', status: 'live', live: true, url: undefined })
    const d = await provider.deploy('v2', opts)
    assert.equal(d.id, 'd-v2')
    assert.equal(d.live, false)
    assert.ok(opts.lines.some((l) => l.includes('uploading v2 to staging with [redacted]')), opts.lines.join('\n'))
    assert.ok(!opts.lines.join('\n').includes('very-secret-token'))

    const live = await provider.waitUntilLive('d-v2', { ...opts, timeoutMs: 10_000 })
    assert.equal(live.live, true)
    assert.ok(opts.lines.includes('deployment d-v2: building') && opts.lines.includes('deployment d-v2: live'))
    assert.equal(fs.readFileSync(path.join(dir, 'live'), 'utf8').trim(), 'd-v2')

    await provider.rollback('d-v1', opts)
    assert.equal(fs.readFileSync(path.join(dir, 'live'), 'utf8').trim(), 'd-v1')

    const logs = await provider.logs({ ...opts, lines: 1 })
    assert.deepEqual(logs, [{ message: 'plain line' }])
    const both = await provider.logs({ ...opts, lines: 5 })
    assert.deepEqual(both[0], { timestamp: '2026-01-01T00:00:00Z', level: 'error', message: 'boom' })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a failing deploy command fails with its last output lines; a failed status ends the wait', async () => {
  const dir = tempDir()
  try {
    const ctx = { cwd: dir, env: process.env, redactor: redactor() }
    const failing = await createProvider({ kind: 'command', deploy: 'echo "Error: quota exceeded" >&2; exit 3' }, ctx)
    await assert.rejects(failing.deploy('v2', callOptions()), /the deploy command failed \(exit 3\): Error: quota exceeded/)

    const crashing = await createProvider({ kind: 'command', deploy: 'echo d-1', status: 'echo crashed', pollInterval: '10ms' }, ctx)
    await assert.rejects(crashing.waitUntilLive('d-1', { ...callOptions(), timeoutMs: 5000 }), /deployment d-1 ended as crashed/)

    const slow = await createProvider({ kind: 'command', deploy: 'echo d-1', status: 'echo building', pollInterval: '20ms' }, ctx)
    await assert.rejects(slow.waitUntilLive('d-1', { ...callOptions(), timeoutMs: 100 }), /was not live after 100ms \(last status: building\)/)

    const hanging = await createProvider({ kind: 'command', deploy: 'sleep 30', timeout: '300ms' }, ctx)
    await assert.rejects(hanging.deploy('v2', callOptions()), /the deploy command gave no answer within 300ms and was stopped/)

    const noRollback = await createProvider({ kind: 'command', deploy: 'echo d-1' }, ctx)
    await assert.rejects(noRollback.rollback('d-0', callOptions()), /provider\.rollback is not set/)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('unknown provider kinds and bad options name the key', async () => {
  const ctx = { cwd: os.tmpdir(), env: {}, redactor: redactor() }
  await assert.rejects(createProvider({ kind: 'heroku' }, ctx), (e: Error) => {
    assert.match(e.message, /provider\.kind: unknown provider "heroku"/)
    assert.match(e.message, /command, digitalocean, local, railway, vercel/)
    return true
  })
  await assert.rejects(createProvider({ kind: 'command' }, ctx), /provider\.deploy: /)
  await assert.rejects(createProvider({ kind: 'command', deploy: 'x', rollbak: 'y' }, ctx), /provider: unknown key "rollbak" \(valid keys: kind, deploy, rollback, /)
  await assert.rejects(createProvider({ kind: 'digitalocean' }, ctx), /provider\.app: /)
  await assert.rejects(createProvider({ kind: 'railway', project: 'p' }, ctx), /provider\.environment: required when provider\.project is set/)
})
