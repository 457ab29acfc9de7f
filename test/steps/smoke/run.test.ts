import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli, stepsOnly } from '../../support/cli.js'
import { readRecord } from '../../support/record.js'
import { decodePng, greyVariance } from '../../adapters/browser/png.js'
import { PASSWORD, startWebApp, type WebApp } from '../../fixtures/smoke/web-app.js'

const skip = existsSync('/usr/bin/chromium') ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)'

let app: WebApp
let flag = ''
before(async () => {
  app = await startWebApp({ broken: () => flag !== '' && existsSync(flag) })
})
after(() => app.close())

const login = [
  { goto: '/login' },
  { fill: 'data-testid=login-email', value: 'demo@terp.example' },
  { fill: 'data-testid=login-password', value: PASSWORD, secret: true },
  { click: 'data-testid=login-submit' },
  { expectUrl: '/dashboard' },
]
const OLD_ERROR = '{"level":"error","time":"2020-01-02T09:00:00.000Z","msg":"mail queue: connection reset"}'

/** A release step that changes the environment, smoke and log checks around it, as a user would configure them. */
function project(release: string) {
  return makeProject(
    stepsOnly(
      [
        { id: 'logs-before', phase: 'environment', kind: 'logs-baseline', options: { source: { file: 'app.log' } } },
        { id: 'release', phase: 'deploy', kind: 'command', changesEnvironment: true, options: { command: release, undo: 'rm -f broken.flag' } },
        { id: 'browser', phase: 'smoke', kind: 'browser', options: { logins: { default: login }, flows: [{ name: 'dashboard', steps: [{ goto: '/dashboard' }, { expectVisible: 'data-testid=dashboard-metric' }] }] } },
        { id: 'logs', phase: 'verify', kind: 'logs', options: { source: { file: 'app.log' } } },
      ],
      { url: app.url },
    ),
    { 'app.log': `${OLD_ERROR}\n` },
  )
}

test('a broken release fails the browser smoke test, is rolled back, and the smoke test proves the rollback', { skip }, async () => {
  const dir = project('touch broken.flag')
  flag = path.join(dir, 'broken.flag')
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 1, `exit 1: failed, environment as before\n${result.stdout}\n${result.stderr}`)
  // The login lands on the broken dashboard: the server error fails it, and the flows behind it are skipped.
  assert.match(result.stdout, /✗ browser .* 2 of 2 flows failed — login: 1 failed request: GET http:\/\/127\.0\.0\.1:\d+\/dashboard → HTTP 500 · dashboard: skipped: login failed/)

  const { runs, steps } = await readRecord(dir)
  const record = steps.get(runs[0]!.id)!
  const smoke = (pass: string) => record.find((s) => s.stepId === 'browser' && s.pass === pass)!
  assert.equal(smoke('run').status, 'failed')
  assert.equal(smoke('proof').status, 'passed', 'the smoke test re-run after the undo passes against the restored release')
  assert.equal(record.find((s) => s.stepId === 'logs'), undefined, 'the run stopped before the verify phase')
  // Each pass keeps its own screenshots: the error page, and the restored dashboard.
  const runDir = path.join(dir, '.rollout/runs', runs[0]!.id)
  const failure = smoke('run').evidence.find((e) => e.path.endsWith('login-final.png'))!
  const restored = smoke('proof').evidence.find((e) => e.path.endsWith('dashboard-final.png'))!
  assert.ok(failure && restored, JSON.stringify([smoke('run').evidence, smoke('proof').evidence]))
  assert.notEqual(path.dirname(failure.path), path.dirname(restored.path))
  for (const e of [failure, restored]) assert.ok(greyVariance(decodePng(readFileSync(path.join(runDir, e.path)))) > 50)
  assert.equal(JSON.stringify(record).includes(PASSWORD), false, 'the typed password is nowhere in the record')
})

test('a release that logs new errors passes the smoke test but fails the log check, and is rolled back', { skip }, async () => {
  const newError = JSON.stringify({ level: 'error', time: new Date(Date.now() + 60_000).toISOString(), msg: 'Unknown column orders.priority in field list' })
  const dir = project(`echo '${newError}' >> app.log`)
  flag = ''
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`)
  const { runs, steps } = await readRecord(dir)
  const record = steps.get(runs[0]!.id)!
  const step = (id: string, pass = 'run') => record.find((s) => s.stepId === id && s.pass === pass)!
  assert.equal(step('logs-before').status, 'passed')
  assert.equal(step('browser').status, 'passed')
  assert.equal(step('logs').status, 'failed')
  assert.match(step('logs').summary!, /^1 new error line after the deploy, threshold 0 \(1 before the deploy, 2 in the last 2 lines\); latest: Unknown column orders\.priority in field list$/)
  assert.equal(step('browser', 'proof').status, 'passed')
  const lines = step('logs').evidence.find((e) => e.path.endsWith('error-lines.log'))!
  assert.match(readFileSync(path.join(dir, '.rollout/runs', runs[0]!.id, lines.path), 'utf8'), /orders\.priority/)
})
