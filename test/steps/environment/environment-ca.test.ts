import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tlsGate from '../../../src/steps/environment/tls.js'
import health from '../../../src/steps/environment/health.js'
import http from '../../../src/steps/smoke/http.js'
import { gate } from '../preflight/harness.js'
import { makeCerts, type TestCerts } from './certs.js'
import { HOST, RESOLVE, httpsServer } from './servers.js'

let certs: TestCerts
before(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-certs-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  certs = makeCerts(dir, HOST)
})

test("the environment's `ca` is trusted by every HTTPS check, without a step option", async (t) => {
  const port = await httpsServer(t, certs.valid, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"status":"healthy"}')
  })
  const environment = { url: `https://${HOST}:${port}`, resolve: RESOLVE, ca: certs.caFile, health: { paths: ['/health'] } }
  for (const [kind, options] of [[tlsGate, {}], [health, {}], [http, { url: '/health' }]] as const) {
    const outcome = await gate(t, kind as typeof http, { phase: 'environment', environment, options }).run()
    assert.equal(outcome.status, 'passed', `${kind.kind}: ${outcome.summary}`)
  }
  // Without it the same checks refuse the private CA (this machine's trust store does not hold it).
  const untrusted = await gate(t, http, { phase: 'environment', environment: { ...environment, ca: undefined }, options: { url: '/health' } }).run()
  assert.equal(untrusted.status, 'failed')
  assert.match(untrusted.summary, /TLS|certificate/i)
})
