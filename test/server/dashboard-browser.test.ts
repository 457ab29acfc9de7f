import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Browser, Page } from 'playwright-core'
import { z } from 'zod'
import { launchChromium } from '../../src/adapters/browser/launch.js'
import { backupEnvironment } from '../../src/app/backup.js'
import { runRollout } from '../../src/app/runs.js'
import { defineStepKind } from '../../src/engine/step-kind.js'
import { startDashboard, type RunningDashboard } from '../../src/server/serve.js'
import { createTestDatabase } from '../support/mysql.js'

const CHROMIUM = process.env.ROLLOUT_CHROMIUM ?? '/usr/bin/chromium'
// The pages' screenshots: kept with the docs when asked to (ROLLOUT_UPDATE_SCREENSHOTS=1), else
// as test artifacts in a temporary folder, named in the test's output.
const SHOTS = process.env.ROLLOUT_UPDATE_SCREENSHOTS ? path.resolve('docs/dashboard') : mkdtempSync(path.join(os.tmpdir(), 'rollout-dashboard-shots-'))

let browser: Browser
let failingPage: Buffer

/** The broken release's check: it leaves a real screenshot of what it saw and fails until the release is undone. */
const check = defineStepKind<{ fail: boolean; waitFor?: string }>({
  kind: 'order-check',
  description: 'creates an order',
  options: z.strictObject({ fail: z.boolean().default(false), waitFor: z.string().optional() }),
  async run(ctx) {
    while (ctx.options.waitFor && !existsSync(path.join(ctx.cwd, ctx.options.waitFor)) && !ctx.signal.aborted) await sleep(50)
    if (!ctx.options.fail || ctx.provingRollback) return { status: 'passed', summary: 'order created' }
    await ctx.writeEvidence('create-order.png', failingPage, 'the page when creating the order failed')
    return { status: 'failed', summary: 'creating an order answered 500' }
  },
})
const change = defineStepKind({
  kind: 'release-switch', description: 'switches the release', changesEnvironment: true,
  run: async () => ({ status: 'passed', summary: 'switched' }),
  undo: async () => ({ status: 'passed', summary: 'switched back' }),
})

before(async () => {
  browser = await launchChromium({ executablePath: CHROMIUM })
  const page = await browser.newPage({ viewport: { width: 480, height: 200 } })
  await page.setContent('<body style="font:20px sans-serif;background:#fff"><h1 style="color:#c62828">500: could not create the order</h1></body>')
  failingPage = await page.screenshot()
  await page.close()
  process.stdout.write(`# dashboard screenshots: ${SHOTS}\n`)
})
after(async () => {
  await browser?.close()
})

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}

describe('the dashboard in Chromium over a real record', () => {
  let dir: string
  let dashboard: RunningDashboard
  let drop: () => Promise<void>
  let passed = ''
  let rolledBack = ''
  let databaseUrl = ''
  const config = (smoke: Record<string, unknown>) => ({
    environments: {
      staging: {
        url: 'https://staging.example.test',
        database: { url: databaseUrl },
        backups: { dir: 'backups', maxAge: '1h' },
        defaults: false,
        add: [
          { id: 'switch', phase: 'deploy', kind: 'release-switch' },
          { id: 'create-order', phase: 'smoke', kind: 'order-check', options: smoke },
        ],
      },
    },
  })
  const source = (smoke: Record<string, unknown> = {}) => ({ cwd: dir, config: config(smoke), kinds: [check, change] })

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-dash-browser-'))
    const db = await createTestDatabase('dash')
    drop = db.drop
    databaseUrl = db.url
    const { default: mysql } = await import('mysql2/promise')
    const conn = await mysql.createConnection(db.url)
    await conn.query('CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2))')
    await conn.query('INSERT INTO orders VALUES (1, 9.50), (2, 12.00)')
    await conn.end()
    await backupEnvironment({ ...source(), environment: 'staging' })
    passed = (await runRollout({ ...source(), environment: 'staging', release: 'v2' })).runId
    rolledBack = (await runRollout({ ...source({ fail: true }), environment: 'staging', release: 'v3-broken' })).runId
    dashboard = await startDashboard({ source: source(), host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await dashboard?.close()
    await drop?.()
    rmSync(dir, { recursive: true, force: true })
  })

  test('the environments, runs and backups pages show the record: live release, the rolled-back run, the chart, the backup and its restore command', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } })
    try {
      await page.goto(dashboard.url)
      assert.equal(await page.locator('table tbody tr td').nth(1).textContent(), 'v2', 'the live release is the one that passed')
      assert.match((await page.locator('table tbody tr').first().textContent())!, new RegExp(`rolled-back · ${rolledBack} · v3-broken`))
      await shoot(page, 'environments')

      await page.click('text=runs')
      assert.equal(await page.locator('svg rect').count(), 2)
      assert.deepEqual(await page.locator('svg rect').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-status'))), ['passed', 'rolled-back'])
      await shoot(page, 'runs')
      await page.fill('input[name=release]', 'v2')
      await page.click('button:has-text("filter")')
      assert.deepEqual(await page.locator('tbody tr td:first-child').allTextContents(), [passed])

      await page.click('nav >> text=Backups')
      const row = page.locator('tbody tr').first()
      assert.match((await row.textContent())!, /backup_\d{8}_\d{6}/)
      assert.match((await row.textContent())!, /verified/)
      assert.match((await row.locator('code').textContent())!, /^rollout restore staging backup_\d{8}_\d{6}$/)
      await shoot(page, 'backups')
    } finally {
      await page.close()
    }
  })

  test('the rolled-back run\'s page: the failing step\'s screenshot is visible, the point of no return, the undo and the proof pass', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
    try {
      await page.goto(new URL(`/runs/${rolledBack}`, dashboard.url).href)
      const shot = page.locator('figure img')
      await shot.waitFor()
      assert.ok(await shot.isVisible())
      assert.ok((await shot.evaluate((img: HTMLImageElement) => img.naturalWidth)) >= 400, 'the screenshot did not load')
      const text = (await page.locator('main').textContent())!
      assert.match(text, /point of no return/)
      assert.match(text, /undo: rolled-back switched back/)
      assert.match(text, /create-order \(proof of the rollback\)passed/)
      assert.equal(await page.locator('.live').count(), 0, 'a finished run is not live')
      await shoot(page, 'run-rolled-back')
    } finally {
      await page.close()
    }
  })

  test('live: a run started while its page is open advances on the page without a reload', async () => {
    const running = runRollout({ ...source({ waitFor: 'go' }), environment: 'staging', release: 'v4' })
    let id = ''
    for (let i = 0; i < 200 && !id; i++) {
      const runs = (await (await fetch(new URL('/api/runs?environment=staging&status=running', dashboard.url))).json()) as { id: string }[]
      if (runs[0]) id = runs[0].id
      else await sleep(50)
    }
    assert.ok(id, 'the run never showed as running')
    const page = await browser.newPage({ viewport: { width: 1200, height: 600 } })
    try {
      await page.goto(new URL(`/runs/${id}`, dashboard.url).href)
      await page.locator('.live').waitFor()
      await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true))
      await page.locator('td.s-running', { hasText: 'running' }).first().waitFor()
      await shoot(page, 'run-live')
      writeFileSync(path.join(dir, 'go'), '')
      await page.locator('main p.s-passed').waitFor({ timeout: 15_000 })
      assert.equal(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage), true, 'the page was reloaded')
      assert.equal(await page.locator('.live').count(), 0)
      assert.equal((await running).status, 'passed')
    } finally {
      await page.close()
    }
  })
})

test('beyond loopback: 401 without the token; a cross-origin POST is refused; signed in, the rollback action rolls the run back', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-dash-actions-'))
  const source = { cwd: dir, kinds: [change, check], config: { environments: { staging: { url: 'https://staging.example.test', defaults: false, add: [{ id: 'switch', phase: 'deploy', kind: 'release-switch' }, { id: 'create-order', phase: 'smoke', kind: 'order-check' }] } } } }
  const run = (await runRollout({ ...source, environment: 'staging', release: 'v2' })).runId
  const dashboard = await startDashboard({ source, host: '0.0.0.0', port: 0 })
  const base = dashboard.url.replace('0.0.0.0', '127.0.0.1')
  const page = await browser.newPage()
  try {
    for (const p of ['', `runs/${run}`, `runs/${run}/rollback`, 'backups']) assert.equal((await page.goto(base + p))!.status(), 401, p)
    const forged = await fetch(`${base}runs/${run}/rollback`, { method: 'POST', headers: { authorization: `Bearer ${dashboard.token}`, origin: 'https://evil.example' } })
    assert.equal(forged.status, 403)
    assert.equal((await (await fetch(`${base}api/runs/${run}`, { headers: { authorization: `Bearer ${dashboard.token}` } })).json() as { run: { status: string } }).run.status, 'passed', 'the forged request changed something')

    await page.goto(`${base}login?token=${dashboard.token}`)
    await page.goto(`${base}runs/${run}`)
    await page.click('text=Roll back this run…')
    assert.match((await page.locator('h1').textContent())!, new RegExp(`Roll back run ${run}\\?`))
    await shoot(page, 'rollback-confirm')
    await page.click('button:has-text("Roll back")')
    await page.waitForURL(`${base}runs/${run}`)
    await page.locator('main p.s-rolled-back').waitFor({ timeout: 20_000 })
    assert.match((await page.locator('main').textContent())!, /undo: rolled-back switched back/)

    // A run started from the page: the same operation as `rollout run`, its page following it.
    await page.goto(base)
    await page.click('text=start a run…')
    await page.fill('input[name=release]', 'v5')
    await page.click('button:has-text("Start the run")')
    await page.waitForURL(/\/runs\/\d{8}-\d{6}-[0-9a-f]{4}$/)
    await page.locator('main p.s-passed').waitFor({ timeout: 20_000 })
    assert.match((await page.locator('main').textContent())!, /release v5/)
    const forgedRun = await fetch(`${base}environments/staging/run`, { method: 'POST', headers: { authorization: `Bearer ${dashboard.token}`, 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' }, body: 'release=evil' })
    assert.equal(forgedRun.status, 403)
  } finally {
    await page.close()
    await dashboard.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
