import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import waitLive from '../../../src/steps/deploy/wait-live.js'
import { matchesRelease, valueAt } from '../../../src/steps/deploy/version-match.js'
import { harness } from '../migrate/harness.js'

/** An app whose /version.json answers the given bodies in turn (the last one repeats). */
async function app(answers: { status?: number; body: string }[]) {
  const hosts: string[] = []
  let polls = 0
  const server = http.createServer((req, res) => {
    hosts.push(String(req.headers.host))
    if (req.url !== '/version.json') return void res.writeHead(404).end()
    const a = answers[Math.min(polls++, answers.length - 1)]!
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(a.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { port, hosts, polls: () => polls, close: () => new Promise<void>((r) => server.close(() => r())) }
}

test('polls until the app reports the release, through the environment\'s host map', async () => {
  const a = await app([
    { body: '{"version":"v1"}' },
    { status: 502, body: 'Bad Gateway' },
    { body: '{"version":"v1"}' },
    { body: '{"version":"v2","builtAt":"2026-01-16T09:00:00Z"}' },
  ])
  const h = harness(waitLive, {
    environment: { url: `http://staging.terp-app.local:${a.port}`, resolve: { 'staging.terp-app.local': '127.0.0.1' } },
    options: { interval: '20ms', timeout: '20s' },
    outputs: { deploy: { release: 'v2' } },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    assert.equal(outcome.summary, `http://staging.terp-app.local:${a.port}/version.json reports v2 after 4 polls`)
    assert.equal(a.polls(), 4)
    assert.ok(a.hosts.every((host) => host === `staging.terp-app.local:${a.port}`))
    // Each change of answer is logged once.
    assert.deepEqual(h.logs.slice(1).map((l) => l.replace(/^.*version\.json: /, '')), ['reports v1', 'HTTP 502', 'reports v1', 'reports v2'])
    const evidence = JSON.parse(h.readEvidence('version-response.json'))
    assert.equal(evidence.reported, 'v2')
    assert.equal(JSON.parse(evidence.lastAnswer.body).builtAt, '2026-01-16T09:00:00Z')
  } finally {
    h.cleanup()
    await a.close()
  }
})

test('gives up after its timeout, with the last answer in the evidence', async () => {
  const a = await app([{ body: '{"build":{"commit":"1111111"}}' }])
  const h = harness(waitLive, {
    environment: { url: `http://127.0.0.1:${a.port}`, release: '2222222aaaa' },
    options: { field: 'build.commit', interval: '30ms', timeout: '200ms' },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, new RegExp(`^after \\d+ms http://127\\.0\\.0\\.1:${a.port}/version\\.json still does not report 2222222aaaa: reports 1111111$`))
    assert.ok(a.polls() >= 2)
    const evidence = JSON.parse(h.readEvidence('version-response.json'))
    assert.equal(evidence.reported, '1111111')
    assert.equal(evidence.lastAnswer.status, 200)
  } finally {
    h.cleanup()
    await a.close()
  }
})

test('an unreachable endpoint is named in the failure', async () => {
  const a = await app([{ body: '{}' }])
  await a.close()
  const h = harness(waitLive, { environment: { url: `http://127.0.0.1:${a.port}`, release: 'v2' }, options: { interval: '20ms', timeout: '100ms' } })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /still does not report v2: TCP connection to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/)
  } finally {
    h.cleanup()
  }
})

test('without a release there is nothing to wait for', async () => {
  const h = harness(waitLive, {})
  try {
    assert.equal((await h.run()).status, 'failed')
  } finally {
    h.cleanup()
  }
})

test('versions match exactly, or as commit ids one of which is the other\'s prefix', () => {
  assert.equal(valueAt({ build: { commit: 'abc' } }, 'build.commit'), 'abc')
  assert.equal(valueAt({ build: 'x' }, 'build.commit'), undefined)
  assert.equal(matchesRelease('v2', 'v2'), true)
  assert.equal(matchesRelease('v2.1', 'v2'), false)
  assert.equal(matchesRelease('abc1234', 'ABC1234def5678'), true)
  assert.equal(matchesRelease('abc12', 'abc1234'), false)
  assert.equal(matchesRelease(42, '42'), true)
  assert.equal(matchesRelease(null, 'v2'), false)
})

test('a live release reported under another field fails at once, naming the field to set', async () => {
  const a = await app([{ body: '{"release":"v1"}' }, { body: '{"release":"v2","commit":"abc123"}' }])
  const h = harness(waitLive, {
    environment: { url: `http://127.0.0.1:${a.port}` },
    options: { interval: '20ms', timeout: '10m' },
    outputs: { deploy: { release: 'v2' } },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /without the field "version"; the release is in "release": set the wait-live step's options\.field to "release"/)
    assert.equal(a.polls(), 2, 'it waited on after the release was found under another name')
  } finally {
    h.cleanup()
    await a.close()
  }
})
