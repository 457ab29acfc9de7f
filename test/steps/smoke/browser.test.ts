import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import browser, { browserOptions } from '../../../src/steps/smoke/browser.js'
import { formatIssues } from '../../../src/config/issues.js'
import { readZip } from '../../support/zip.js'
import { decodePng, differingShare, greyVariance } from '../../adapters/browser/png.js'
import { PASSWORD, startWebApp, type WebApp } from '../../fixtures/smoke/web-app.js'
import { harness, type StepHarness } from './context.js'
import type { BrowserOptions } from '../../../src/steps/smoke/browser.js'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`

let app: WebApp
before(async () => {
  app = await startWebApp()
})
after(() => app.close())

const login = [
  { goto: '/login' },
  { fill: 'data-testid=login-email', value: 'demo@terp.example' },
  { fill: 'data-testid=login-password', value: PASSWORD, secret: true },
  { click: 'data-testid=login-submit' },
  { expectUrl: '/dashboard' },
]

function evidenceFile(h: StepHarness<BrowserOptions>, name: string): string {
  const ref = h.evidence.find((e) => e.path.endsWith(`/${name}`))
  assert.ok(ref, `evidence ${name} listed (have: ${h.evidence.map((e) => e.path).join(', ')})`)
  return h.evidencePath(ref)
}

/** Every text evidence file and log line, to search for leaked secrets. */
function allText(h: StepHarness<BrowserOptions>): string {
  return [...h.logs, ...h.evidence.filter((e) => /\.(json|log|txt)$/.test(e.path)).map((e) => readFileSync(h.evidencePath(e), 'utf8'))].join('\n')
}

/** A checklist of flows against the fixture app's pages (the terp preset is proven against the example app: test/examples). */
const id = (name: string) => `data-testid=${name}`
const checklist = [
  { name: 'dashboard', steps: [{ goto: '/dashboard' }, { expectVisible: id('dashboard') }, { expectText: { matches: '\\d' }, in: id('dashboard-metric'), title: 'dashboard figures show data' }] },
  { name: 'create-order', steps: [{ goto: '/orders/new' }, { select: id('order-client'), value: '2' }, { fill: id('order-item-sku'), value: 'SKU-9' }, { fill: id('order-item-qty'), value: '1' }, { click: id('order-submit') }, { expectVisible: id('order-created') }] },
  { name: 'inventory', steps: [{ goto: '/inventory' }, { expectVisible: id('inventory-row') }] },
  { name: 'client-details', steps: [{ goto: '/clients' }, { click: id('client-link') }, { expectVisible: id('client-details') }] },
  { name: 'calendar', steps: [{ goto: '/calendar' }, { expectVisible: id('calendar-event') }] },
  {
    name: 'vip-portal',
    as: false,
    steps: [{ goto: '/vip/login' }, { fill: id('vip-email'), value: 'vip@terp.example' }, { fill: id('vip-password'), value: PASSWORD, secret: true }, { click: id('vip-submit') }, { expectVisible: id('vip-portal') }],
  },
]

test('a checklist of flows passes against an app with their pages, in parallel contexts, with real screenshots', { skip }, async () => {
  const h = harness(browser, {
    environment: { url: app.url },
    options: { logins: { default: login }, flows: checklist, concurrency: 3 },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'passed', outcome.summary)
    const flows = (outcome.data as { flows: { name: string; status: string }[] }).flows
    assert.deepEqual(flows.map((f) => f.name), ['login', 'dashboard', 'create-order', 'inventory', 'client-details', 'calendar', 'vip-portal'])
    assert.ok(flows.every((f) => f.status === 'passed'))
    // A passing flow keeps its final screenshot and its record, and no trace.
    assert.equal(h.evidence.some((e) => e.path.endsWith('trace.zip')), false)
    const dashboard = JSON.parse(readFileSync(evidenceFile(h, 'dashboard-result.json'), 'utf8'))
    assert.deepEqual(dashboard.actions.map((a: { action: string }) => a.action), ['go to /dashboard', 'expect data-testid=dashboard visible', 'dashboard figures show data'])
    assert.ok(dashboard.actions.every((a: { ms: number }) => typeof a.ms === 'number'))

    const inventory = readFileSync(evidenceFile(h, 'inventory-final.png'))
    const calendar = readFileSync(evidenceFile(h, 'calendar-final.png'))
    for (const png of [inventory, calendar]) {
      assert.ok(png.length > 5000, `a screenshot of a page is more than a few bytes (${png.length})`)
      const img = decodePng(png)
      assert.deepEqual([img.width, img.height], [1280, 800])
      assert.ok(greyVariance(img) > 50, `screenshot is not blank (variance ${greyVariance(img).toFixed(1)})`)
    }
    assert.ok(differingShare(decodePng(inventory), decodePng(calendar)) > 0.01, 'two different pages give two different screenshots')
    assert.equal(allText(h).includes(PASSWORD), false, 'the password is in no log line or evidence file')
  } finally {
    h.cleanup()
  }
})

test('a flow failing on missing text: failure screenshot, redacted trace, the others unaffected', { skip }, async () => {
  const h = harness(browser, {
    environment: { url: app.url },
    options: {
      logins: { default: login },
      flows: [
        { name: 'dashboard', steps: [{ goto: '/dashboard' }, { expectText: 'Quarterly revenue', timeoutMs: 1500 }] },
        { name: 'inventory', steps: [{ goto: '/inventory' }, { expectVisible: 'data-testid=inventory-row', min: 3 }] },
        {
          name: 'vip',
          as: false,
          steps: [
            { goto: '/vip/login' },
            { fill: 'data-testid=vip-email', value: 'vip@terp.example' },
            { fill: 'data-testid=vip-password', value: PASSWORD, secret: true },
            { click: 'data-testid=vip-submit' },
            { expectVisible: 'data-testid=vip-invoices', timeoutMs: 1000 },
          ],
        },
      ],
    },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /^2 of 4 flows failed — dashboard: text "Quarterly revenue" not found on http:\/\/127\.0\.0\.1:\d+\/dashboard within 1500 ms · vip: data-testid=vip-invoices not visible on http:\/\/127\.0\.0\.1:\d+\/vip\/login within 1000 ms \(found 0\)$/)
    const failure = readFileSync(evidenceFile(h, 'dashboard-failure.png'))
    assert.ok(greyVariance(decodePng(failure)) > 50, 'the failure screenshot shows the page')
    const record = JSON.parse(readFileSync(evidenceFile(h, 'dashboard-result.json'), 'utf8'))
    assert.deepEqual(record.failedAt, { index: 1, action: 'expect text "Quarterly revenue"' })

    const trace = readFileSync(evidenceFile(h, 'dashboard-trace.zip'))
    const entries = readZip(trace)
    assert.ok(entries.some((e) => e.name === 'trace.trace'), 'a Playwright trace')
    const traceText = entries.map((e) => e.data.toString('latin1')).join('\n')
    assert.ok(traceText.includes('Quarterly revenue'), 'the trace shows the failing expectation')
    assert.ok(app.sessions.size > 0)
    for (const sid of app.sessions) assert.equal(traceText.includes(sid), false, 'session cookies are replaced in the trace')
    assert.ok(traceText.includes('[redacted]'), 'the cookie header is there, its value replaced')
    // A password typed inside a failing flow is in its trace only as [redacted].
    const vipTrace = readZip(readFileSync(evidenceFile(h, 'vip-trace.zip'))).map((e) => e.data.toString('latin1')).join('\n')
    assert.ok(vipTrace.includes('vip-password'), 'the trace records the fill')
    assert.equal(vipTrace.includes(PASSWORD), false, 'but not what was typed')
    assert.equal(allText(h).includes(PASSWORD), false)
    assert.equal(h.evidence.some((e) => e.path.endsWith('login-trace.zip')), false, 'the login passed: no trace of it')
    assert.equal(h.evidence.some((e) => e.path.endsWith('inventory-failure.png')), false)
  } finally {
    h.cleanup()
  }
})

test('console errors, uncaught errors and failed same-origin calls fail a flow; allowed noise does not', { skip }, async () => {
  const h = harness(browser, {
    environment: { url: app.url },
    options: {
      flows: [
        { name: 'console', steps: [{ goto: '/console-error' }, { expectText: 'Monthly report' }] },
        { name: 'uncaught', steps: [{ goto: '/page-error' }, { expectText: 'Something' }] },
        { name: 'failing-call', steps: [{ goto: '/failing-call' }, { expectText: 'Orders list' }] },
        { name: 'known-noise', steps: [{ goto: '/console-error' }], allow: ['^Chart failed to render'] },
      ],
      concurrency: 2,
    },
  })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    const byName = Object.fromEntries((outcome.data as { flows: { name: string; status: string; error?: string }[] }).flows.map((f) => [f.name, f]))
    assert.match(byName.console!.error!, /^1 console error: Chart failed to render: data is undefined/)
    assert.match(byName.uncaught!.error!, /^1 uncaught page error: TypeError: Cannot read properties of null/)
    assert.match(byName['failing-call']!.error!, /^1 failed request: GET http:\/\/127\.0\.0\.1:\d+\/api\/orders-broken → HTTP 500$/)
    assert.equal(byName['known-noise']!.status, 'passed')
    const noise = JSON.parse(readFileSync(evidenceFile(h, 'known-noise-result.json'), 'utf8'))
    assert.equal(noise.issues.ignored.length, 1)
    assert.equal(noise.console[0].type, 'error')
    assert.match(outcome.summary, /^3 of 4 flows failed/)
  } finally {
    h.cleanup()
  }
})

test('HTTPS with a private CA: trusted when the CA is configured, refused otherwise', { skip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-ca-'))
  const host = 'staging.terp-app.local'
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Rollout Test CA')
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`)
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-copy_extensions', 'copy')
  const secure = await startWebApp({ tls: { key: readFileSync(path.join(dir, 'leaf.key'), 'utf8'), cert: readFileSync(path.join(dir, 'leaf.pem'), 'utf8') } })
  const environment = { url: `https://${host}:${secure.port}`, resolve: { [host]: '127.0.0.1' } }
  const flows = [{ name: 'vip', steps: [{ goto: '/vip/login' }, { expectVisible: 'data-testid=vip-email' }] }]
  try {
    const trusted = harness(browser, { environment, options: { flows, ca: path.join(dir, 'ca.pem') } })
    const ok = await trusted.run()
    trusted.cleanup()
    assert.equal(ok.status, 'passed', ok.summary)

    const untrusted = harness(browser, { environment, options: { flows } })
    const refused = await untrusted.run()
    untrusted.cleanup()
    assert.equal(refused.status, 'failed')
    assert.match(refused.summary, /vip: .*ERR_CERT_AUTHORITY_INVALID/)
    assert.ok(untrusted.logs.some((l) => l.startsWith(`TLS: the certificate of https://${host}:${secure.port} is not trusted`)))
  } finally {
    await secure.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a run stopped midway closes the browser and says so', { skip }, async () => {
  const controller = new AbortController()
  const h = harness(browser, { environment: { url: app.url }, signal: controller.signal, options: { flows: [{ name: 'slow', steps: [{ goto: '/inventory' }, { wait: 60_000 }] }] } })
  try {
    const running = h.run()
    while (!h.logs.some((l) => l.startsWith('slow: started'))) await new Promise((r) => setTimeout(r, 50))
    controller.abort()
    await assert.rejects(running, /stopped before the flows finished/)
    // The browser shuts down behind the step once its last call settles; it must not stay behind.
    const browsers = () => execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((c) => /chrom/i.test(c))
    for (let i = 0; i < 200 && browsers().length > 0; i++) await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(browsers(), [], 'no browser process left behind')
    assert.equal(h.logs.some((l) => l.startsWith('slow: failed')), false, 'nothing is logged for the step after it stopped')
  } finally {
    h.cleanup()
  }
})

test('no browser: the failure says what to install', async () => {
  const h = harness(browser, { environment: { url: app.url }, options: { executablePath: '/nonexistent/chromium', flows: [{ name: 'x', steps: [{ goto: '/' }] }] } })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'failed')
    assert.match(outcome.summary, /\/nonexistent\/chromium does not exist.*apt-get install chromium/)
  } finally {
    h.cleanup()
  }
})

test("a browser that cannot start: the failure carries the browser's own words", async () => {
  const broken = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/smoke/bin/broken-chromium')
  const h = harness(browser, { environment: { url: app.url }, options: { executablePath: broken, flows: [{ name: 'x', steps: [{ goto: '/' }] }] } })
  try {
    await assert.rejects(h.run(), (e: Error) => e.message === `${broken} did not start: chromium: error while loading shared libraries: libnss3.so: cannot open shared object file: No such file or directory | <process did exit: exitCode=127, signal=null>`)
  } finally {
    h.cleanup()
  }
})

test('flow config errors name the key and what was expected', () => {
  const cases: [unknown, RegExp][] = [
    [{ flows: [{ name: 'a', steps: [{ goto: '/', click: 'x' }] }] }, /^flows\[0\]\.steps\[0\]: one action per step, got goto and click$/],
    [{ flows: [{ name: 'a', steps: [{ visit: '/' }] }] }, /^flows\[0\]\.steps\[0\]: expected one action key: goto, click, fill/],
    [{ flows: [{ name: 'a', steps: [{ fill: 'x' }] }] }, /^flows\[0\]\.steps\[0\]\.value: missing; expected string$/],
    [{ flows: [{ name: 'a', steps: [{ expectText: { matches: '(' } }] }] }, /^flows\[0\]\.steps\[0\]\.expectText/],
    [{ flows: [{ name: 'a', steps: [{ click: 'x', timeout: 5 }] }] }, /^flows\[0\]\.steps\[0\]: unknown key "timeout"$/],
    [{ concurency: 2 }, /^: unknown key "concurency"|unknown key "concurency"/],
  ]
  for (const [options, expected] of cases) {
    const parsed = browserOptions.safeParse(options)
    assert.equal(parsed.success, false)
    assert.match(formatIssues(parsed.error!.issues), expected)
  }
})

test('a flow that names a missing login is refused before the browser starts', async () => {
  const h = harness(browser, { environment: { url: app.url }, options: { flows: [{ name: 'a', as: 'admin', steps: [{ goto: '/' }] }] } })
  try {
    await assert.rejects(h.run(), /flows\[0\]\.as: no login named "admin" \(logins: none\)/)
  } finally {
    h.cleanup()
  }
})

test('the environment smoke section is checked with its key path', async () => {
  const h = harness(browser, { environment: { url: app.url, smoke: { flow: 'terp' } } })
  try {
    await assert.rejects(h.run(), /environments\.staging\.smoke: unknown key "flow"/)
  } finally {
    h.cleanup()
  }
})

test('an empty list of flows is a warning that says nothing was checked, not a pass', async () => {
  const h = harness(browser, { environment: { url: app.url }, options: { flows: [] } })
  try {
    const outcome = await h.run()
    assert.equal(outcome.status, 'warning')
    assert.equal(outcome.summary, 'no browser flows to run: nothing was checked')
  } finally {
    h.cleanup()
  }
})

test('text patterns match what the page shows: CSS text-transform applied, hidden text not, ignoreCase and /…/i honoured', { skip }, async () => {
  const run = async (expectText: unknown, extra: Record<string, unknown> = {}) => {
    const h = harness(browser, { environment: { url: app.url }, options: { executablePath: CHROMIUM, trace: 'off', flows: [{ name: 'styled', as: false, steps: [{ goto: '/styled' }, { expectText, timeoutMs: 1500, ...extra }] }] } })
    try {
      return await h.run()
    } finally {
      h.cleanup()
    }
  }
  // The DOM says "Open orders"; the page shows "OPEN ORDERS".
  const shown = await run({ matches: 'OPEN ORDERS' })
  assert.equal(shown.status, 'passed', shown.summary)
  assert.equal((await run({ matches: 'OPEN ORDERS' }, { in: 'data-testid=open-orders' })).status, 'passed')
  const domCase = await run({ matches: 'Open orders' })
  assert.equal(domCase.status, 'failed', 'matched the DOM text, not what the page shows')
  assert.match(domCase.summary, /text \/Open orders\/ not found/)
  assert.equal((await run({ matches: '/open orders/i' })).status, 'passed')
  assert.equal((await run({ matches: 'open orders', ignoreCase: true })).status, 'passed')
  const hidden = await run({ matches: 'closed orders', ignoreCase: true })
  assert.equal(hidden.status, 'failed', 'hidden text counted')
  assert.match(hidden.summary, /text \/closed orders\/i not found/)
})

test('a text pattern with bad flags is a config error naming the key', () => {
  const parsed = browserOptions.safeParse({ flows: [{ name: 'a', steps: [{ expectText: { matches: '/x/q' } }] }] })
  assert.equal(parsed.success, true, 'without known flags the text is the pattern itself')
  const bad = browserOptions.safeParse({ flows: [{ name: 'a', steps: [{ expectText: { matches: '/(/i' } }] }] })
  assert.equal(bad.success, false)
  assert.match(formatIssues(bad.error!.issues, [], browserOptions), /flows\[0\]\.steps\[0\]\.expectText/)
})
