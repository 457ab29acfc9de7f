import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { localSiteStatus, stopLocalSite } from '../../src/adapters/providers/local.js'
import { ensureCertificates } from '../../src/sandbox/tls.js'
import { makeProject, runCli, stepsOnly } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { APP, HOST, freePort } from '../adapters/providers/local-helpers.js'

/**
 * A first deploy through the local provider: nothing is live, so the environment gates that talk to
 * the app are skipped with the reason, and the smoke tests after the deploy prove the new app. A
 * failed first deploy is taken down and proven by nothing serving.
 */
async function project(t: { after(fn: () => unknown): void }, smoke: string) {
  const port = await freePort()
  const steps = [
    { id: 'reachable', phase: 'environment', kind: 'reachable' },
    { id: 'health', phase: 'environment', kind: 'health' },
    { id: 'deploy', phase: 'deploy', kind: 'deploy', options: { waitTimeout: '60s' } },
    { id: 'api-health', phase: 'smoke', kind: 'http', options: { url: smoke } },
  ]
  const dir = makeProject(
    stepsOnly(steps, {
      url: `https://${HOST}:${port}`,
      resolve: { [HOST]: '127.0.0.1' },
      ca: 'certs/ca/ca.pem',
      health: { paths: ['/health/ready'] },
      provider: {
        kind: 'local',
        start: 'node app.mjs',
        port,
        health: { https: true, hostHeader: HOST, ca: 'certs/ca/ca.pem' },
        env: { TLS_CERT_FILE: 'certs/server.pem', TLS_KEY_FILE: 'certs/server.key' },
        stopTimeout: '3s',
      },
    }),
  )
  const certs = ensureCertificates({ dir: path.join(dir, 'certs'), hosts: [HOST] })
  const configFile = path.join(dir, 'rollout.config.mjs')
  writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('"certs/server.pem"', JSON.stringify(certs.certFile)).replace('"certs/server.key"', JSON.stringify(certs.keyFile)))
  mkdirSync(path.join(dir, 'build', 'v1'), { recursive: true })
  copyFileSync(APP, path.join(dir, 'build', 'v1', 'app.mjs'))
  const root = path.join(dir, '.rollout/staging')
  t.after(() => stopLocalSite(root))
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
  const proof = records.find((s) => s.pass === 'verify' && s.stepId === 'nothing-serving')!
  assert.equal(proof.status, 'passed')
  assert.match(proof.summary!, /^nothing serving at https:\/\/staging\.local\.test:\d+: connection refused$/)
  assert.ok(!records.some((s) => s.pass === 'verify' && s.stepId === 'api-health'), 'a smoke test cannot prove a take-down')
  assert.match(run.stdout, /verified by nothing-serving/)
  assert.equal((await localSiteStatus(root)).serving, false)
})
