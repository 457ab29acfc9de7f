import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import playwright from '../../../src/steps/smoke/playwright.js'
import { harness } from './context.js'

// A stand-in for @playwright/test's CLI (not installed here): it records its arguments and writes
// the JSON reporter's documented report for the scenario it is given.
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/smoke/bin')
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin'

function run(scenario: string, options: Record<string, unknown> = {}, environment: Record<string, unknown> = {}) {
  const h = harness(playwright, { environment, options: { ...options, env: { PATH: `${BIN}:${SYSTEM_PATH}`, PW_STANDIN_SCENARIO: scenario, ...(options.env as object) } } })
  const record = path.join(h.dir, 'calls.jsonl')
  h.ctx.options.env!.PW_STANDIN_RECORD = record
  return { h, calls: () => readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; cwd: string; baseUrl: string }) }
}

test('runs the project and tag from the smoke section, reports each test, passes the URL', async () => {
  const { h, calls } = run('pass', { grep: '@critical' }, { smoke: { playwright: { project: 'staging-critical' } } })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    assert.equal(outcome.summary, '2 passed, 0 failed, 0 flaky, 0 skipped')
    const [call] = calls()
    assert.deepEqual(call!.args, ['test', '--reporter=json', '--project', 'staging-critical', '--grep', '@critical'])
    assert.equal(call!.baseUrl, 'https://staging.terp-app.local')
    const tests = (outcome.data as { tests: { title: string; project: string; outcome: string }[] }).tests
    assert.deepEqual(tests.map((t) => [t.title, t.project, t.outcome]), [
      ['smoke.spec.ts › TERP › user can log in @critical', 'staging-critical', 'passed'],
      ['smoke.spec.ts › TERP › create order @critical', 'staging-critical', 'passed'],
    ])
    assert.ok(h.logs.some((l) => /^passed {2}smoke\.spec\.ts › TERP › user can log in @critical \[staging-critical\] 812 ms$/.test(l)))
    assert.ok(h.evidence.some((e) => e.path.endsWith('report.json')))
  } finally {
    h.cleanup()
  }
})

test('a failing test fails the step by name with its error, and its screenshot becomes evidence', async () => {
  const { h } = run('fail')
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.summary, '2 passed, 1 failed, 0 flaky, 0 skipped — smoke.spec.ts › TERP › create order @critical [chromium]: Error: expect(locator).toBeVisible() failed')
    const shot = h.evidence.find((e) => e.path.endsWith('test-failed-1.png'))
    assert.ok(shot, 'the failing test\'s screenshot is listed')
    assert.equal(shot.label, 'smoke.spec.ts › TERP › create order @critical: screenshot')
  } finally {
    h.cleanup()
  }
})

test('a flaky test is a warning; no matching test and a runner that cannot start are failures', async () => {
  const flaky = run('flaky')
  const none = run('pass', { grep: '@nothing' })
  const crash = run('crash')
  try {
    const f = await flaky.h.run()
    assert.equal(f.status, 'warning')
    assert.match(f.summary, /^2 passed, 0 failed, 1 flaky, 0 skipped: flaky smoke\.spec\.ts › TERP › create order @critical$/)
    const n = await none.h.run()
    assert.equal(n.status, 'failed')
    assert.equal(n.summary, 'Playwright reported: Error: No tests found')
    const c = await crash.h.run()
    assert.equal(c.status, 'failed')
    assert.equal(c.summary, "playwright gave no JSON report (exit code 1): Error: Cannot find module '@playwright/test'")
  } finally {
    for (const x of [flaky, none, crash]) x.h.cleanup()
  }
})

test("the project's own node_modules/.bin/playwright is found; without one the step says what to install", async () => {
  const local = harness(playwright, { options: { dir: 'e2e', env: { PATH: SYSTEM_PATH } } })
  const missing = harness(playwright, { options: { env: { PATH: SYSTEM_PATH } } })
  try {
    mkdirSync(path.join(local.dir, 'node_modules', '.bin'), { recursive: true })
    mkdirSync(path.join(local.dir, 'e2e'))
    symlinkSync(path.join(BIN, 'playwright'), path.join(local.dir, 'node_modules', '.bin', 'playwright'))
    const found = await local.run()
    assert.equal(found.status, 'passed', found.summary)
    assert.ok(local.logs[0]!.startsWith(`$ ${path.join(local.dir, 'node_modules', '.bin', 'playwright')} test --reporter=json`))

    const absent = await missing.run()
    assert.equal(absent.status, 'failed')
    assert.match(absent.summary, /^no Playwright runner in .*: install the project's dependencies \(npm i -D @playwright\/test\)/)
  } finally {
    local.cleanup()
    missing.cleanup()
  }
})
