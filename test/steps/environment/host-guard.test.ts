import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import type http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import hostGuard from '../../../src/steps/environment/host-guard.js'
import { judgeForeign } from '../../../src/steps/environment/host-guard-verdict.js'
import { gate } from '../preflight/harness.js'
import { makeCerts, type TestCerts } from './certs.js'
import { HOST, RESOLVE, httpServer, httpsServer } from './servers.js'

let certs: TestCerts
before(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-certs-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  certs = makeCerts(dir, HOST)
})

/** An app with a host guard: like the runbook's ALLOWED_HOSTS, 421 for any Host it does not own. */
function guarded(allowed: string[], seen: string[]) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '')
    seen.push(host)
    if (!allowed.includes(host)) {
      res.writeHead(421, { 'content-type': 'text/plain' })
      return res.end('Misdirected Request')
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<h1>TERP</h1>')
  }
}

test('host-guard: an app that refuses foreign hosts and bare IPs passes', async (t) => {
  const seen: string[] = []
  const port = await httpsServer(t, certs.valid, guarded([HOST, 'terp.example'], seen))
  const h = gate(t, hostGuard, {
    phase: 'environment',
    environment: { url: `https://${HOST}:${port}`, resolve: RESOLVE, hostGuard: { allowedHosts: [HOST, 'terp.example'] } },
    options: { ca: certs.caFile },
  })
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.summary, [
    `allowed host ${HOST} served (200)`,
    'allowed host terp.example served (200)',
    'foreign Host header host-guard-probe.invalid refused with 421',
    'bare IP address 127.0.0.1 refused with 421',
  ].join('; '))
  assert.deepEqual(seen, [HOST, 'terp.example', 'host-guard-probe.invalid', '127.0.0.1'])
  assert.equal(JSON.parse(h.readEvidence('host-guard.json')).probes.length, 4)
})

test('host-guard: an app that serves any host fails, naming both probes', async (t) => {
  const port = await httpsServer(t, certs.valid)
  const outcome = await gate(t, hostGuard, { phase: 'environment', environment: { url: `https://${HOST}:${port}`, resolve: RESOLVE }, options: { ca: certs.caFile } }).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'host guard missing or incomplete: foreign Host header host-guard-probe.invalid served with 200; bare IP address 127.0.0.1 served with 200')
})

test('host-guard: a guard that only checks the Host header but serves bare IPs is incomplete', async (t) => {
  const port = await httpServer(t, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '')
    res.writeHead(host === 'host-guard-probe.invalid' ? 403 : 200)
    res.end()
  })
  const outcome = await gate(t, hostGuard, { phase: 'environment', environment: { url: `http://${HOST}:${port}`, resolve: RESOLVE } }).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'host guard missing or incomplete: bare IP address 127.0.0.1 served with 200')
})

test('host-guard: when the allowed host itself is refused, that is what fails', async (t) => {
  const port = await httpServer(t, guarded(['terp.example'], []))
  const outcome = await gate(t, hostGuard, { phase: 'environment', environment: { url: `http://${HOST}:${port}`, resolve: RESOLVE } }).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, `allowed host ${HOST} refused with 421 (the foreign-host probes mean nothing until it is served)`)
})

test('host-guard verdicts: redirects to an allowed host, closed connections, and answers that cannot tell', () => {
  const allowed = { kind: 'response', status: 404 } as const
  assert.deepEqual(judgeForeign({ kind: 'response', status: 404 }, allowed, [HOST]).ok, false)
  assert.deepEqual(judgeForeign({ kind: 'response', status: 404 }, { kind: 'response', status: 200 }, [HOST]), { ok: true, why: 'refused with 404' })
  assert.deepEqual(judgeForeign({ kind: 'response', status: 301, location: `https://${HOST}/` }, allowed, [HOST]), { ok: true, why: `redirected to the allowed host ${HOST}` })
  assert.deepEqual(judgeForeign({ kind: 'response', status: 302, location: 'https://evil.example/' }, allowed, [HOST]).ok, false)
  assert.deepEqual(judgeForeign({ kind: 'error', stage: 'response', code: 'ECONNRESET', message: 'socket hang up' }, allowed, [HOST]).ok, true)
  assert.deepEqual(judgeForeign({ kind: 'error', stage: 'timeout', code: 'ETIMEDOUT', message: 'timed out' }, allowed, [HOST]).ok, false)
  assert.deepEqual(judgeForeign({ kind: 'response', status: 500 }, allowed, [HOST]).why, 'answered 500 instead of refusing with a 4xx')
})
