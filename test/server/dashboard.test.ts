import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { runRollout } from '../../src/app/runs.js'
import { secret } from '../../src/config/markers.js'
import { defineStepKind } from '../../src/engine/step-kind.js'
import { startDashboard, type RunningDashboard } from '../../src/server/serve.js'

const SECRET = 'dash-s3cret-7c41e9'
// A PNG's signature and a few bytes: served as it was written, with its type.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex')

/**
 * A step that logs and saves its secret option (redacted by the record), leaves a screenshot, and
 * waits on request; with `fail` it fails until the release is undone, as a broken release's check does.
 */
const probe = defineStepKind<{ token: string; fail: boolean; waitFor?: string; shots: number }>({
  kind: 'probe',
  description: 'checks the app with a token',
  options: z.strictObject({ token: z.string(), fail: z.boolean().default(false), waitFor: z.string().optional(), shots: z.number().default(1) }),
  async run(ctx) {
    ctx.log(`calling with ${ctx.options.token}`)
    await ctx.writeEvidence('shot.png', PNG, 'the page')
    for (let n = 2; n <= ctx.options.shots; n++) await ctx.writeEvidence(`shot-${n}.png`, PNG, `page ${n}`)
    await ctx.writeEvidence('request.json', JSON.stringify({ authorization: `Bearer ${ctx.options.token}` }), 'the request')
    while (ctx.options.waitFor && !existsSync(path.join(ctx.cwd, ctx.options.waitFor)) && !ctx.signal.aborted) await sleep(50)
    return ctx.options.fail && !ctx.provingRollback ? { status: 'failed', summary: `refused ${ctx.options.token}` } : { status: 'passed', summary: 'answered' }
  },
})
const change = defineStepKind({
  kind: 'change', description: 'changes something', changesEnvironment: true,
  run: async () => ({ status: 'passed', summary: 'changed' }),
  undo: async () => ({ status: 'passed', summary: 'put back' }),
})

describe('rollout serve: the JSON API and the first page over a real record', () => {
  let dir: string
  const config = (smoke: Record<string, unknown>) => ({
    environments: {
      staging: {
        url: 'https://staging.example.test',
        backups: { dir: 'backups' },
        defaults: false,
        add: [
          { id: 'change', phase: 'deploy', kind: 'change' },
          { id: 'probe', phase: 'smoke', kind: 'probe', options: { token: secret(SECRET), ...smoke } },
        ],
      },
    },
  })
  const source = (smoke: Record<string, unknown> = {}) => ({ cwd: dir, config: config(smoke), kinds: [probe, change] })
  let passed = ''
  let failed = ''
  let dashboard: RunningDashboard

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-dash-'))
    passed = (await runRollout({ ...source(), environment: 'staging', release: 'v1' })).runId
    failed = (await runRollout({ ...source({ fail: true, shots: 3 }), environment: 'staging', release: 'v2' })).runId
    dashboard = await startDashboard({ source: source(), host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await dashboard.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const get = (p: string, init?: RequestInit) => fetch(new URL(p, dashboard.url), init)

  test('environments: the live release, the last run, the lock and the backup state', async () => {
    const [env] = (await (await get('/api/environments')).json()) as { name: string; liveRelease: string; lastRun: { id: string; status: string }; lock: unknown; newestVerifiedBackup: unknown; backupTooOld: boolean }[]
    assert.equal(env!.name, 'staging')
    assert.equal(env!.liveRelease, 'v1', 'the rolled-back v2 is not live')
    assert.deepEqual([env!.lastRun.id, env!.lastRun.status], [failed, 'rolled-back'])
    assert.equal(env!.lock, null)
    assert.equal(env!.newestVerifiedBackup, null)
    assert.equal(env!.backupTooOld, true)
    const page = await get('/')
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/)
    const html = await page.text()
    assert.match(html, /<strong>staging<\/strong>/)
    assert.match(html, new RegExp(`rolled-back · <a href="/runs/${failed}">${failed}</a> · v2`))
  })

  test('runs, one run, its evidence with the right types, and nothing outside its folder', async () => {
    const runs = (await (await get('/api/runs?environment=staging')).json()) as { id: string; status: string }[]
    assert.deepEqual(runs.map((r) => [r.id, r.status]), [[failed, 'rolled-back'], [passed, 'passed']])
    assert.deepEqual(((await (await get('/api/runs?environment=staging&status=passed')).json()) as { id: string }[]).map((r) => r.id), [passed])
    const detail = (await (await get(`/api/runs/${failed}`)).json()) as { run: { status: string }; steps: { stepId: string; pass: string; status: string; evidence: { path: string }[] }[] }
    assert.equal(detail.run.status, 'rolled-back')
    const shot = detail.steps.find((s) => s.stepId === 'probe' && s.pass === 'run')!.evidence.find((e) => e.path.endsWith('.png'))!
    const image = await get(`/api/runs/${failed}/files/${shot.path}`)
    assert.equal(image.headers.get('content-type'), 'image/png')
    assert.equal(image.headers.get('x-content-type-options'), 'nosniff')
    assert.ok(Buffer.from(await image.arrayBuffer()).equals(PNG))
    const report = await get(`/api/runs/${failed}/files/incident.html`)
    assert.equal(report.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.equal((await get(`/api/runs/${failed}/files/..%2F..%2Frollout.db`)).status, 404)
    assert.equal((await get('/api/runs/no-such-run')).status, 404)
  })

  test('pages: the runs of an environment, filtered, and one run as a timeline with its rollback and the failure\'s screenshot', async () => {
    const list = await (await get('/runs?environment=staging')).text()
    assert.match(list, new RegExp(`<a href="/runs/${failed}">${failed}</a></td><td class="s-rolled-back">rolled-back`))
    assert.match(list, new RegExp(`<a href="/runs/${passed}">`))
    const onlyPassed = await (await get('/runs?environment=staging&status=passed')).text()
    assert.doesNotMatch(onlyPassed, new RegExp(failed))
    const run = await (await get(`/runs/${failed}`)).text()
    assert.match(run, /<td>change <strong class="ponr">▶ point of no return<\/strong><\/td>/)
    assert.match(run, /undo: <span class="s-rolled-back">rolled-back<\/span> put back/)
    assert.match(run, /probe <em>\(proof of the rollback\)<\/em><\/td><td class="s-passed">passed/)
    // The failed check's screenshot is on the page, served from the run's folder.
    const img = new RegExp(`<img src="(/api/runs/${failed}/files/probe/shot\\.png)" alt="the page">`).exec(run)
    assert.ok(img, 'no screenshot on the failed step')
    assert.equal((await get(img[1]!)).headers.get('content-type'), 'image/png')
    // Two screenshots shown, the third a link: a step with many keeps the timeline readable.
    assert.match(run, new RegExp(`<img src="/api/runs/${failed}/files/probe/shot-2\\.png" alt="page 2">`))
    assert.doesNotMatch(run, /<img src="[^"]*shot-3\.png"/)
    assert.match(run, new RegExp(`<a href="/api/runs/${failed}/files/probe/shot-3\\.png">page 3</a>`))
    assert.match(run, new RegExp(`<a href="/api/runs/${failed}/files/incident\\.html">Incident report</a>`))
    assert.match(run, /<div class="bar s-failed" style="margin-left:[\d.]+%;width:[\d.]+%">/)
  })

  test('events: a finished run\'s stream replays its record and ends', async () => {
    const text = await (await get(`/api/runs/${failed}/events`)).text()
    assert.match(text, /event: run-started/)
    assert.match(text, /event: rollback-finished/)
    assert.match(text, /event: run-finished\ndata: \{"type":"run-finished","status":"rolled-back"/)
    assert.match(text, /event: end\n/)
  })

  test('a live run\'s events arrive while it runs', async () => {
    const running = runRollout({ ...source({ waitFor: 'go' }), environment: 'staging', release: 'v3' })
    let id = ''
    for (let i = 0; i < 100 && !id; i++) {
      const env = ((await (await get('/api/environments')).json()) as { lastRun: { id: string; status: string } }[])[0]!
      if (env.lastRun.status === 'running') id = env.lastRun.id
      else await sleep(50)
    }
    assert.ok(id, 'the run did not show as running')
    const response = await get(`/api/runs/${id}/events`)
    const reader = response.body!.getReader()
    let seen = ''
    while (!seen.includes('event: step-started\ndata: {"type":"step-started","stepId":"probe"')) seen += new TextDecoder().decode((await reader.read()).value)
    assert.doesNotMatch(seen, /run-finished/, 'the stream waited for the run')
    writeFileSync(path.join(dir, 'go'), '')
    while (!seen.includes('event: end')) {
      const chunk = await reader.read()
      if (chunk.done) break
      seen += new TextDecoder().decode(chunk.value)
    }
    assert.match(seen, /event: run-finished\ndata: \{"type":"run-finished","status":"passed"/)
    assert.equal((await running).status, 'passed')
  })

  test('no response of the API and no evidence served holds the secret', async () => {
    const bodies: string[] = []
    for (const p of ['/', '/runs?environment=staging', `/runs/${failed}`, '/api/environments', '/api/runs?environment=staging', '/api/backups/staging']) bodies.push(await (await get(p)).text())
    for (const id of [passed, failed]) {
      const detail = (await (await get(`/api/runs/${id}`)).json()) as { steps: { evidence: { path: string }[] }[] }
      bodies.push(JSON.stringify(detail), await (await get(`/api/runs/${id}/events`)).text())
      for (const e of detail.steps.flatMap((s) => s.evidence)) bodies.push(Buffer.from(await (await get(`/api/runs/${id}/files/${e.path}`)).arrayBuffer()).toString('latin1'))
    }
    assert.ok(bodies.some((b) => b.includes('[redacted]')), 'the secret was never even mentioned: the scan proves nothing')
    for (const b of bodies) assert.equal(b.includes(SECRET), false)
  })
})

test('on an address beyond loopback every page and API needs the token; signing in gives an HttpOnly, SameSite=Strict session', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-dash-auth-'))
  const source = { cwd: dir, config: { environments: { staging: { url: 'https://staging.example.test', defaults: false, add: [{ id: 'ok', phase: 'preflight', kind: 'command', options: { command: 'true' } }] } } } }
  await runRollout({ ...source, environment: 'staging' })
  const dashboard = await startDashboard({ source, host: '0.0.0.0', port: 0 })
  try {
    assert.equal(dashboard.generatedToken, true)
    const base = dashboard.url.replace('0.0.0.0', '127.0.0.1')
    for (const p of ['/', '/api/environments', '/api/runs?environment=staging', '/api/backups/staging']) assert.equal((await fetch(base + p.slice(1))).status, 401, p)
    assert.equal((await fetch(`${base}login?token=wrong`, { redirect: 'manual' })).status, 401)
    const signIn = await fetch(`${base}login?token=${dashboard.token}`, { redirect: 'manual' })
    assert.equal(signIn.status, 302)
    const cookie = signIn.headers.get('set-cookie')!
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Strict/)
    assert.equal(cookie.includes(dashboard.token!), false, 'the token itself is not the cookie')
    assert.equal((await fetch(`${base}api/environments`, { headers: { cookie: cookie.split(';')[0]! } })).status, 200)
    assert.equal((await fetch(`${base}api/environments`, { headers: { authorization: `Bearer ${dashboard.token}` } })).status, 200)
    assert.equal((await fetch(`${base}api/environments`, { headers: { authorization: 'Bearer nope' } })).status, 401)
  } finally {
    await dashboard.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a step that passed on a retry says which attempt on the run page', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-dash-retry-'))
  const flaky = { id: 'flaky', phase: 'preflight', kind: 'command', retries: 1, options: { command: 'test -e tried || { touch tried; exit 1; }' } }
  const source = { cwd: dir, config: { environments: { staging: { url: 'https://staging.example.test', defaults: false, add: [flaky] } } } }
  const { runId, status } = await runRollout({ ...source, environment: 'staging' })
  assert.equal(status, 'passed')
  const dashboard = await startDashboard({ source, host: '127.0.0.1', port: 0 })
  try {
    const html = await (await fetch(new URL(`/runs/${runId}`, dashboard.url))).text()
    assert.match(html, /flaky <span class="s-warning">\(attempt 2\)<\/span><\/td><td class="s-passed">passed/)
  } finally {
    await dashboard.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('on loopback without a token, a request naming another host is refused (a rebound name cannot read the record)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-dash-host-'))
  const source = { cwd: dir, config: { environments: { staging: { url: 'https://staging.example.test', defaults: false, add: [] } } } }
  const dashboard = await startDashboard({ source, host: '127.0.0.1', port: 0 })
  const port = new URL(dashboard.url).port
  // fetch may not set Host; a raw request does, as a browser does for the name in its address bar.
  const get = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/api/environments', headers: { host } }, (response) => {
        let body = ''
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      })
      request.on('error', reject)
    })
  try {
    const rebound = await get(`attacker.example:${port}`)
    assert.equal(rebound.status, 403)
    assert.match(rebound.body, /answers to 127\.0\.0\.1 or localhost, not \\"attacker\.example\\"/)
    assert.doesNotMatch(rebound.body, /staging/)
    assert.equal((await get(`localhost:${port}`)).status, 200)
    assert.equal((await get(`127.0.0.1:${port}`)).status, 200)
  } finally {
    await dashboard.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
