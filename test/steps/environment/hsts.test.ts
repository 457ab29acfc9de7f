import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import hsts from '../../../src/steps/environment/hsts.js'
import { parseHsts } from '../../../src/steps/environment/hsts-header.js'
import { gate } from '../preflight/harness.js'
import { makeCerts, type TestCerts } from './certs.js'
import { HOST, RESOLVE, httpServer, httpsServer } from './servers.js'

let certs: TestCerts
before(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-certs-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  certs = makeCerts(dir, HOST)
})

async function site(t: { after(fn: () => unknown): void }, header: string | null): Promise<number> {
  return httpsServer(t, certs.valid, (_req, res) => {
    res.writeHead(200, header === null ? {} : { 'strict-transport-security': header })
    res.end('ok')
  })
}

function hstsGate(t: { after(fn: () => unknown): void }, port: number, options: Record<string, unknown> = {}) {
  return gate(t, hsts, { phase: 'environment', environment: { url: `https://${HOST}:${port}`, resolve: RESOLVE }, options: { ca: certs.caFile, ...options } })
}

test('hsts: a year-long header with includeSubDomains passes', async (t) => {
  const port = await site(t, 'max-age=31536000; includeSubDomains')
  const h = hstsGate(t, port, { includeSubDomains: true })
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.summary, `${HOST}:${port}: Strict-Transport-Security: max-age=31536000; includeSubDomains`)
  assert.deepEqual(JSON.parse(h.readEvidence('hsts.json')).https.policy, { maxAge: 31536000, includeSubDomains: true, preload: false, problems: [] })
})

test('hsts: a missing header fails', async (t) => {
  const port = await site(t, null)
  const outcome = await hstsGate(t, port).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, `${HOST}:${port}: no Strict-Transport-Security header`)
})

test('hsts: a max-age that is too short, or a missing includeSubDomains, fails', async (t) => {
  const port = await site(t, 'max-age=300')
  const outcome = await hstsGate(t, port, { includeSubDomains: true }).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, `${HOST}:${port}: max-age=300 is shorter than the required 31536000 (1 year); includeSubDomains is missing`)
  const relaxed = await hstsGate(t, port, { maxAge: 300 }).run()
  assert.equal(relaxed.status, 'passed', relaxed.summary)
})

test('hsts: plain HTTP must redirect to HTTPS when an http URL is configured', async (t) => {
  const port = await site(t, 'max-age=63072000; includeSubDomains; preload')
  const redirecting = await httpServer(t, (req, res) => {
    res.writeHead(301, { location: `https://${HOST}:${port}${req.url}` })
    res.end()
  })
  const good = await hstsGate(t, port, { httpUrl: `http://${HOST}:${redirecting}/` }).run()
  assert.equal(good.status, 'passed', good.summary)
  assert.match(good.summary, /; plain HTTP redirects to HTTPS$/)

  const serving = await httpServer(t)
  const bad = await hstsGate(t, port, { httpUrl: `http://${HOST}:${serving}/` }).run()
  assert.equal(bad.status, 'failed')
  assert.equal(bad.summary, `${HOST}:${port}: http://${HOST}:${serving}/ answered 200 instead of redirecting to HTTPS`)
})

test('hsts header parsing: quoted values, duplicates and a header browsers would ignore', () => {
  assert.deepEqual(parseHsts('max-age="31536000"; preload'), { maxAge: 31536000, includeSubDomains: false, preload: true, problems: [] })
  assert.deepEqual(parseHsts('includeSubDomains').problems, ['no max-age directive, so browsers ignore the header'])
  assert.deepEqual(parseHsts('max-age=10; max-age=20').problems, ['directive max-age appears twice, which makes the header invalid'])
  assert.deepEqual(parseHsts('max-age=600, max-age=31536000').maxAge, 600)
})
