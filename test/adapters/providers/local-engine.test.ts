import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { httpRequest } from '../../../src/adapters/http/request.js'
import { localSiteStatus } from '../../../src/adapters/providers/local.js'
import { runCli } from '../../support/cli.js'
import { HOST, localRunProject } from './local-helpers.js'

test('rollout run deploys through the local provider and waits for the version; rollout rollback switches back', async (t) => {
  const steps = [
    { id: 'deploy', phase: 'deploy', kind: 'deploy', options: { waitTimeout: '60s' } },
    { id: 'wait-live', phase: 'deploy', kind: 'wait-live', after: ['deploy'], options: { interval: '200ms', timeout: '30s' } },
  ]
  const { dir, root, port, certs } = await localRunProject(t, steps, ['v1', 'v2'])
  // wait-live checks the version over HTTPS: the sandbox CA is trusted the way users add one.
  const env = { NODE_EXTRA_CA_CERTS: certs.caFile }
  const version = async () => {
    const res = await httpRequest({ url: `https://${HOST}:${port}/version.json`, resolve: { [HOST]: '127.0.0.1' }, ca: readFileSync(certs.caFile, 'utf8') })
    return JSON.parse(res.body).version as string
  }

  const first = await runCli(['run', 'staging', '--release', 'v1'], { cwd: dir, env })
  assert.equal(first.code, 0, first.stdout + first.stderr)
  assert.equal(await version(), 'v1')
  const second = await runCli(['run', 'staging', '--release', 'v2'], { cwd: dir, env })
  assert.equal(second.code, 0, second.stdout + second.stderr)
  assert.match(second.stdout, /reports v2/)
  assert.equal(await version(), 'v2')
  // The CLI has exited; the site it deployed keeps serving.
  assert.equal((await localSiteStatus(root)).serving, true)

  const back = await runCli(['rollback', 'staging'], { cwd: dir, env })
  // Exit 1: the run is undone and the environment is as it was before it.
  assert.equal(back.code, 1, back.stdout + back.stderr)
  assert.match(back.stdout, /rolled back to \d{8}T\d{6}Z-v1, live/)
  assert.equal(await version(), 'v1')
  assert.equal((await localSiteStatus(root)).current?.release, 'v1')
})
