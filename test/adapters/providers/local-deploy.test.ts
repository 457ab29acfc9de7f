import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readlinkSync } from 'node:fs'
import path from 'node:path'
import { localSite, eventually } from './local-helpers.js'

test('deploys v1 then v2 over HTTPS through the public port; requests made during the switch all succeed', async (t) => {
  const site = await localSite(t)
  site.release('v1')
  site.release('v2')
  assert.equal(await site.provider.current(site.opts), null)

  const v1 = await site.ship('v1')
  assert.match(v1, /^\d{8}T\d{6}Z-v1$/)
  const first = await site.get('/version.json')
  assert.equal(first.status, 200)
  assert.equal(JSON.parse(first.body).version, 'v1')
  // The app's own certificate, passed through the proxy untouched and trusted through the sandbox CA.
  assert.equal(first.tls?.authorized, true)
  assert.ok(first.tls?.subjectAltNames?.includes('staging.local.test'))
  assert.deepEqual(await site.provider.current(site.opts), (await site.provider.status(v1, site.opts)))
  assert.equal((await site.provider.current(site.opts))?.live, true)

  // Requests one after another, each on a new connection, for as long as the switch takes.
  const answers: string[] = []
  const failures: string[] = []
  let stop = false
  const load = (async () => {
    while (!stop) {
      try {
        const res = await site.get('/version.json')
        if (res.status === 200) answers.push(JSON.parse(res.body).version)
        else failures.push(`HTTP ${res.status}`)
      } catch (error) {
        failures.push((error as Error).message)
      }
    }
  })()
  const v2 = await site.ship('v2')
  await eventually(() => (answers.at(-1) === 'v2' ? true : undefined), 'v2 answering through the public port')
  const seen = answers.length
  await eventually(() => (answers.length >= seen + 20 ? true : undefined), 'more requests after the switch')
  stop = true
  await load

  assert.deepEqual(failures, [])
  assert.ok(answers.includes('v1') && answers.includes('v2'), `answers: ${[...new Set(answers)].join(', ')}`)
  // Once v2 answered, v1 never did again: the switch is one way.
  assert.ok(!answers.slice(answers.indexOf('v2')).includes('v1'))

  assert.equal(readlinkSync(path.join(site.root, 'current')), path.join('releases', v2))
  const state = JSON.parse(readFileSync(path.join(site.root, 'state.json'), 'utf8'))
  assert.equal(state.current, v2)
  assert.equal(state.previous, v1)
  assert.ok(existsSync(path.join(site.root, 'shared/logs/app.log')))
  assert.match(readFileSync(path.join(site.root, 'shared/logs', `${v2}.out`), 'utf8'), /release v2 listening/)
  const old = await site.provider.status(v1, site.opts)
  assert.equal(old.live, false)
  assert.equal(old.status, 'retired')

  // Rollback: v1's folder is started again and takes the traffic back.
  const rb = await site.provider.rollback(v1, site.opts)
  assert.equal(rb.id, v1)
  const back = await site.provider.waitUntilLive(v1, { ...site.opts, timeoutMs: 30_000 })
  assert.equal(back.live, true)
  assert.equal(JSON.parse((await site.get('/version.json')).body).version, 'v1')
  assert.equal(readlinkSync(path.join(site.root, 'current')), path.join('releases', v1))
  assert.equal((await site.provider.current(site.opts))?.id, v1)
})

test('a release whose health never passes leaves the previous one serving, and the deploy fails with its output', async (t) => {
  const site = await localSite(t, { startTimeout: '2s' })
  site.release('v1')
  site.release('v2-broken', { health: 'fail' })
  const v1 = await site.ship('v1')

  const broken = await site.provider.deploy('v2-broken', site.opts)
  await assert.rejects(site.provider.waitUntilLive(broken.id, { ...site.opts, timeoutMs: 30_000 }), (error: Error) => {
    assert.match(error.message, new RegExp(`^deployment ${broken.id} did not go live: health check /health/ready did not pass within 2.0s \\(last: HTTP 503\\); ${v1} keeps serving`))
    assert.match(error.message, /its last output: .*cannot reach the database at db\.internal:3306 \(ECONNREFUSED\)/)
    return true
  })
  assert.equal(JSON.parse((await site.get('/version.json')).body).version, 'v1')
  assert.equal((await site.provider.current(site.opts))?.id, v1)
  const failed = await site.provider.status(broken.id, site.opts)
  assert.deepEqual([failed.status, failed.live], ['failed', false])
  // The failed app was stopped: nothing runs in its release folder.
  assert.equal(readlinkSync(path.join(site.root, 'current')), path.join('releases', v1))
})

test('a release folder that does not exist fails the deploy before anything changes', async (t) => {
  const site = await localSite(t)
  await assert.rejects(site.provider.deploy('v9', site.opts), /the release folder .*build\/v9 does not exist \(provider\.source: build\/\{release\}, release v9\)/)
  assert.equal(existsSync(path.join(site.root, 'current')), false)
})
