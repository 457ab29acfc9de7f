import { test } from 'node:test'
import assert from 'node:assert/strict'
import { localSiteStatus } from '../../src/adapters/providers/local.js'
import { runCli } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { localRunProject } from '../adapters/providers/local-helpers.js'

/**
 * A first deploy through the local provider: nothing is live, so the environment gates that talk to
 * the app are skipped with the reason, and the smoke tests after the deploy prove the new app. A
 * failed first deploy is taken down and proven by nothing serving.
 */
async function project(t: { after(fn: () => unknown): void }, smoke: string) {
  const steps = [
    { id: 'reachable', phase: 'environment', kind: 'reachable' },
    { id: 'health', phase: 'environment', kind: 'health' },
    { id: 'deploy', phase: 'deploy', kind: 'deploy', options: { waitTimeout: '60s' } },
    { id: 'api-health', phase: 'smoke', kind: 'http', options: { url: smoke } },
  ]
  const { dir, root } = await localRunProject(t, steps, ['v1'], { ca: 'certs/ca/ca.pem', health: { paths: ['/health/ready'] } })
  return { dir, root }
}

test('run --first: the gates that need the app are skipped with the reason, the smoke test proves the new app; --first again is refused', async (t) => {
  const { dir, root } = await project(t, '/health/ready')
  const run = await runCli(['run', 'staging', '--release', 'v1', '--first'], { cwd: dir })
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const { runs, steps } = await readRecord(dir)
  const byId = new Map(steps.get(runs[0]!.id)!.filter((s) => s.pass === 'run').map((s) => [s.stepId, s]))
  for (const id of ['reachable', 'health']) {
    assert.equal(byId.get(id)?.status, 'skipped', id)
    assert.equal(byId.get(id)?.summary, 'first deploy (--first): nothing is live yet to check')
  }
  assert.equal(byId.get('api-health')?.status, 'passed')
  assert.equal((await localSiteStatus(root)).serving, true)

  const again = await runCli(['run', 'staging', '--release', 'v1', '--first'], { cwd: dir })
  assert.equal(again.code, 2, again.stdout + again.stderr)
  assert.match(again.stderr, /--first: staging already has local deployment \S+ live; a first deploy would skip the gates that check it/)
})

test('a failed first deploy is taken down and proven by nothing serving: exit 1, the environment as before (nothing live)', async (t) => {
  const { dir, root } = await project(t, '/boom')
  const run = await runCli(['run', 'staging', '--release', 'v1', '--first'], { cwd: dir })
  assert.equal(run.code, 1, run.stdout + run.stderr)
  const { runs, steps } = await readRecord(dir)
  assert.equal(runs[0]!.status, 'rolled-back')
  const records = steps.get(runs[0]!.id)!
  const deploy = records.find((s) => s.stepId === 'deploy' && s.pass === 'run')!
  assert.equal(deploy.undoStatus, 'rolled-back')
  assert.match(deploy.undoSummary!, /^first deployment \S+ taken down: nothing was live before this run$/)
  const proof = records.find((s) => s.pass === 'proof' && s.stepId === 'nothing-serving')!
  assert.equal(proof.status, 'passed')
  assert.match(proof.summary!, /^nothing serving at https:\/\/staging\.local\.test:\d+: connection refused$/)
  assert.ok(!records.some((s) => s.pass === 'proof' && s.stepId === 'api-health'), 'a smoke test cannot prove a take-down')
  assert.match(run.stdout, /verified by nothing-serving/)
  assert.equal((await localSiteStatus(root)).serving, false)
})
