import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import reachable from '../../../src/steps/environment/reachable.js'
import { gate } from '../preflight/harness.js'
import { makeCerts, type TestCerts } from './certs.js'
import { HOST, RESOLVE, closedPort, httpServer, httpsServer, silentServer } from './servers.js'

let certs: TestCerts
before(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-certs-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  certs = makeCerts(dir, HOST)
})

function probe(t: { after(fn: () => unknown): void }, url: string, options: Record<string, unknown> = {}, resolve: Record<string, string> = RESOLVE) {
  return gate(t, reachable, { phase: 'environment', environment: { url, resolve }, options })
}

test('reachable: DNS, TCP and HTTPS each answer, each timed', async (t) => {
  const port = await httpsServer(t, certs.valid)
  const h = probe(t, `https://${HOST}:${port}`, { ca: certs.caFile })
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.match(outcome.summary, new RegExp(`^${HOST}:${port} reachable: DNS [\\d.]+ ms, TCP [\\d.]+ ms, HTTP [\\d.]+ ms, HTTP 200$`))
  const evidence = JSON.parse(h.readEvidence('reachable.json'))
  assert.deepEqual(evidence.stages.map((s: { stage: string; ok: boolean }) => `${s.stage}:${s.ok}`), ['dns:true', 'tcp:true', 'http:true'])
  assert.equal(evidence.stages[0].detail, `${HOST} → 127.0.0.1 (resolve map)`)
  assert.match(evidence.stages[2].detail, /^GET \/ → 200, TLSv1\.3/)
})

test('reachable: a name that does not resolve is a DNS failure', async (t) => {
  const outcome = await probe(t, 'https://staging.terp-app.invalid', {}, {}).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^DNS failure: staging\.terp-app\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)$/)
  assert.equal(outcome.data?.failedAt, 'dns')
})

test('reachable: a closed port is a refused connection, with the hint that a first deploy runs with --first', async (t) => {
  const port = await closedPort()
  const outcome = await probe(t, `http://${HOST}:${port}`).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, new RegExp(`^connection refused: TCP connection to 127\\.0\\.0\\.1:${port} failed \\(ECONNREFUSED\\)`))
  assert.match(outcome.summary, /; if nothing is deployed there yet, this is a first deploy: run with --first$/)
  assert.equal(outcome.data?.failedAt, 'tcp')
})

test('reachable: a server that accepts but never answers is a timeout at the HTTP stage', async (t) => {
  const port = await silentServer(t)
  const outcome = await probe(t, `http://${HOST}:${port}`, { timeoutMs: 300 }).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'timeout: timed out: no answer within 300 ms (while waiting for the response)')
  const stages = outcome.data?.stages as Record<string, { ok: boolean }>
  assert.deepEqual(Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.ok])), { dns: true, tcp: true, http: false })
})

test('reachable: an untrusted certificate is a TLS failure', async (t) => {
  const port = await httpsServer(t, certs.selfSigned)
  const outcome = await probe(t, `https://${HOST}:${port}`).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^TLS failure: TLS handshake with staging\.test:\d+ failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/)
})

test('reachable: a 502 from a proxy is reachable but not usable', async (t) => {
  const port = await httpServer(t, (_req, res) => {
    res.writeHead(502)
    res.end('Bad Gateway')
  })
  const outcome = await probe(t, `http://${HOST}:${port}`).run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, new RegExp(`^HTTP failure: ${HOST}:${port} answers, but with 502`))
})
