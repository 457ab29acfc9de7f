import { test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import path from 'node:path'
import { deploymentIdFor, isDeploymentId, releasesToPrune, siteLayout, socketPathFor } from '../../../../src/adapters/providers/local/layout.js'
import { restartDelay } from '../../../../src/adapters/providers/local/app-process.js'

test('deployment ids: UTC time then the release, sortable, unique within a second, safe as folder names', () => {
  const at = new Date('2026-11-25T10:15:00.123Z')
  assert.equal(deploymentIdFor('v2', at, new Set()), '20261125T101500Z-v2')
  assert.equal(deploymentIdFor('v2', at, new Set(['20261125T101500Z-v2'])), '20261125T101500Z-v2-2')
  assert.equal(deploymentIdFor('v2', at, new Set(['20261125T101500Z-v2', '20261125T101500Z-v2-2'])), '20261125T101500Z-v2-3')
  assert.equal(deploymentIdFor('../../etc/passwd', at, new Set()), '20261125T101500Z-etc-passwd')
  assert.equal(deploymentIdFor('feature/login fix', at, new Set()), '20261125T101500Z-feature-login-fix')
  assert.ok(deploymentIdFor('v10', new Date('2026-11-25T10:15:01Z'), new Set()) > deploymentIdFor('v9', at, new Set()))
  assert.equal(isDeploymentId('20261125T101500Z-v2'), true)
  assert.equal(isDeploymentId('../20261125T101500Z-v2'), false)
  assert.equal(isDeploymentId('.partial-20261125T101500Z-v2'), false)
})

test('pruning keeps the newest ones and never the protected ones', () => {
  const ids = ['a', 'b', 'c', 'd', 'e']
  assert.deepEqual(releasesToPrune(ids, 2, []), ['a', 'b', 'c'])
  assert.deepEqual(releasesToPrune(ids, 2, ['b', null]), ['a', 'c'])
  assert.deepEqual(releasesToPrune(ids, 10, []), [])
})

test('the control socket sits in the root unless the path is too long for a unix socket', () => {
  assert.equal(siteLayout('/srv/app/.rollout/staging').socket, '/srv/app/.rollout/staging/supervisor.sock')
  const deep = `/srv/${'x'.repeat(120)}`
  const socket = socketPathFor(deep)
  assert.equal(path.dirname(socket), os.tmpdir())
  assert.equal(socket, socketPathFor(deep))
  assert.notEqual(socket, socketPathFor(`${deep}y`))
})

test('a crashing app waits longer before each new start, at most 30 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(restartDelay), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
})
