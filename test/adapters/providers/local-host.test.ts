import { test } from 'node:test'
import assert from 'node:assert/strict'
import { localSite } from './local-helpers.js'

// A shell may export HOST (its own machine name, say); the app listens where HOST says. The site's
// proxy reaches its apps on loopback, so the supervisor gives them HOST=127.0.0.1 unless `env` says.
process.env.HOST = '203.0.113.9'

test('a HOST in the caller\'s environment does not move the app off loopback', async (t) => {
  const site = await localSite(t)
  site.release('v1')
  await site.ship('v1')
  const res = await site.get('/version.json')
  assert.equal(res.status, 200)
  assert.equal(JSON.parse(res.body).version, 'v1')
})
