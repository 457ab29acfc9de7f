import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import deploy from '../../../src/steps/deploy/deploy.js'
import { harness } from '../migrate/harness.js'
import { apiServer } from '../../adapters/providers/helpers.js'

/**
 * A platform made of shell commands over files: `live` holds what serves traffic, `<id>.state`
 * each deployment's state (one word a line, each status call takes the next).
 */
function commandProvider(states: string) {
  return {
    kind: 'command',
    current: 'cat live',
    deploy: `id="d-$ROLLOUT_RELEASE"; printf '${states}' > "$id.state"; touch deployed-$ROLLOUT_RELEASE; echo "$id"`,
    status: `s=$(head -n1 {deploymentId}.state); if [ "$(wc -l < {deploymentId}.state)" -gt 1 ]; then sed -i 1d {deploymentId}.state; fi; [ "$s" = live ] && echo {deploymentId} > live; echo "$s"`,
    rollback: 'echo {previousDeploymentId} > live; echo live > {previousDeploymentId}.state',
    pollInterval: '10ms',
  }
}

test('records what was live before deploying, deploys the release and waits until it is live', async () => {
  const where = { dir: '' }
  const h = harness(deploy, {
    environment: { provider: commandProvider('building\\nlive\\n'), release: 'v2' },
    options: { waitTimeout: '30s' },
    // At the first checkpoint nothing may have been deployed yet.
    onCheckpoint: async (data): Promise<unknown> => ({ stage: data.stage, deployed: existsSync(path.join(where.dir, 'deployed-v2')) }),
  })
  where.dir = h.dir
  try {
    writeFileSync(path.join(h.dir, 'live'), 'd-v1\n')
    writeFileSync(path.join(h.dir, 'd-v1.state'), 'live\n')
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    assert.equal(outcome.summary, 'v2 live as command deployment d-v2')
    assert.deepEqual(h.checkpoints.map((c) => c.seen), [{ stage: 'deploying', deployed: false }, { stage: 'started', deployed: true }])
    assert.equal(h.checkpoints[0]!.data.previousDeploymentId, 'd-v1')
    assert.deepEqual({ ...outcome.data }, {
      provider: 'command', release: 'v2', previous: { id: 'd-v1', status: 'live' }, previousDeploymentId: 'd-v1',
      stage: 'live', deploymentId: 'd-v2', status: 'live', url: null,
    })
    assert.equal(readFileSync(path.join(h.dir, 'live'), 'utf8').trim(), 'd-v2')
    assert.ok(h.logs.includes('live before the deploy: d-v1 (live)'))
    assert.ok(h.logs.includes('deployment d-v2: building'))

    // The undo puts back what was live before.
    const undo = await h.undo(outcome.data!, 'passed')
    assert.equal(undo.status, 'passed', undo.summary)
    assert.equal(undo.summary, 'rolled back to d-v1, live')
    assert.equal(readFileSync(path.join(h.dir, 'live'), 'utf8').trim(), 'd-v1')
    assert.equal(JSON.parse(h.readEvidence('rollback.json')).from, 'd-v2')
  } finally {
    h.cleanup()
  }
})

test('a deployment that fails fails the step; the undo works from the record, or from the first checkpoint after a crash', async () => {
  const h = harness(deploy, { environment: { provider: commandProvider('building\\nfailed\\n'), release: 'v3' } })
  try {
    writeFileSync(path.join(h.dir, 'live'), 'd-v1\n')
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.summary, 'deployment d-v3 ended as failed')
    assert.equal(outcome.data!.stage, 'failed')
    assert.match(h.readEvidence('deployment.json'), /ended as failed/)

    writeFileSync(path.join(h.dir, 'live'), 'd-v3\n')
    assert.equal((await h.undo(outcome.data!, 'failed')).status, 'passed')
    assert.equal(readFileSync(path.join(h.dir, 'live'), 'utf8').trim(), 'd-v1')

    writeFileSync(path.join(h.dir, 'live'), 'd-v3\n')
    const fromCrash = await h.undo(h.checkpoints[0]!.data, 'interrupted')
    assert.equal(fromCrash.summary, 'rolled back to d-v1, live')
    assert.equal(readFileSync(path.join(h.dir, 'live'), 'utf8').trim(), 'd-v1')
  } finally {
    h.cleanup()
  }
})

test('undo without a checkpoint changes nothing; without an earlier deployment it says what to do by hand', async () => {
  const h = harness(deploy, { environment: { provider: commandProvider('live\\n'), release: 'v2' } })
  try {
    assert.deepEqual(await h.undo({}, 'interrupted'), { status: 'skipped', summary: 'nothing was deployed' })
    const first = await h.undo({ stage: 'started', previousDeploymentId: null, deploymentId: 'd-v2' }, 'failed')
    assert.equal(first.status, 'failed')
    assert.equal(first.summary, 'nothing was live before this deploy, so there is nothing to roll back to: take deployment d-v2 down by hand')
  } finally {
    h.cleanup()
  }
})

test('no release or no provider: the step says which is missing', async () => {
  const noRelease = harness(deploy, { environment: { provider: commandProvider('live\\n') } })
  const noProvider = harness(deploy, { environment: { release: 'v2' } })
  try {
    assert.equal((await noRelease.run()).summary, "no release to deploy: pass --release or set the environment's release")
    await assert.rejects(noProvider.run(), /the environment has no provider: set provider\.kind/)
  } finally {
    noRelease.cleanup()
    noProvider.cleanup()
  }
})

test('with DigitalOcean, the undo follows the rollback deployment until it is ACTIVE', async () => {
  const phases: Record<string, string[]> = { 'do-rb': ['PENDING_DEPLOY', 'DEPLOYING', 'ACTIVE'] }
  const api = await apiServer((req) => {
    if (req.url === '/v2/apps/app-9/rollback/validate') return { json: { valid: true } }
    if (req.url === '/v2/apps/app-9/rollback') return { json: { deployment: { id: 'do-rb', phase: 'PENDING_DEPLOY' } } }
    const m = /\/deployments\/([^/]+)$/.exec(req.url)
    if (m) {
      const list = phases[m[1]!]!
      return { json: { deployment: { id: m[1], phase: list.length > 1 ? list.shift() : list[0] } } }
    }
    return { status: 404, json: { id: 'not_found', message: req.url } }
  })
  process.env.DIGITALOCEAN_ACCESS_TOKEN = 'dop_v1_test_token_1234'
  const h = harness(deploy, { environment: { provider: { kind: 'digitalocean', app: 'app-9', apiUrl: api.url, pollInterval: '10ms' } } })
  try {
    const undo = await h.undo({ stage: 'started', previousDeploymentId: 'do-old', deploymentId: 'do-new' }, 'failed')
    assert.equal(undo.status, 'passed', undo.summary)
    assert.equal(undo.summary, 'rolled back to do-old (as deployment do-rb), live')
    assert.deepEqual(api.requests.find((r) => r.url.endsWith('/rollback'))!.body, { deployment_id: 'do-old', skip_pin: false })
    assert.ok(h.logs.includes('deployment do-rb: ACTIVE'))
    assert.ok(!h.logs.join('\n').includes('dop_v1_test_token_1234'))
  } finally {
    delete process.env.DIGITALOCEAN_ACCESS_TOKEN
    await api.close()
    h.cleanup()
  }
})
