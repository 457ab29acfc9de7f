import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { renderIncidentHtml, markdownToHtml } from '../../src/reports/incident-html.js'
import { writeIncidentReport } from '../../src/reports/write-incident.js'
import { SqliteStore } from '../../src/adapters/store/sqlite.js'
import { Redactor } from '../../src/config/redact.js'
import { renderIncident, type IncidentInput } from '../../src/reports/incident.js'
import type { RunRecord, StepRecord } from '../../src/engine/store.js'
import type { RolloutEvent } from '../../src/engine/events.js'

const run: RunRecord = {
  id: 'r-2026-abc', environment: 'staging', status: 'rollback-failed', startedAt: '2026-11-25T10:00:00.000Z', finishedAt: '2026-11-25T10:07:00.000Z',
  user: 'alice', host: 'ci-1', pid: 42, plan: { environment: 'staging', steps: [], pointOfNoReturn: 'migrate', rollbackProofPhases: ['smoke'] },
  release: 'v1.4.0', crossedAt: 'migrate', summary: 'rollback did not complete: deploy', configFile: '/p/rollout.config.ts',
}
const step = (s: Partial<StepRecord> & Pick<StepRecord, 'stepId' | 'seq'>): StepRecord => ({
  runId: run.id, pass: 'run', phase: 'smoke', title: s.stepId, status: 'passed', attempt: 1, startedAt: null, finishedAt: null, durationMs: 1000,
  summary: null, data: {}, output: '', evidence: [], undoStatus: null, undoSummary: null, undoDurationMs: null, ...s,
})
const steps: StepRecord[] = [
  step({ stepId: 'migrate', seq: 1, phase: 'migrate', status: 'rolled-back', undoStatus: 'rolled-back', undoSummary: 'restored 2 tables', undoDurationMs: 4200 }),
  step({ stepId: 'deploy', seq: 2, phase: 'deploy', status: 'rollback-failed', undoStatus: 'rollback-failed', undoSummary: 'provider said: 503 | try later', undoDurationMs: 1500 }),
  step({
    stepId: 'browser', seq: 3, status: 'failed', summary: 'login: expected text "Dashboard" <not found>',
    output: 'page.goto /login\n<script>alert("x")</script>\nTimeoutError',
    evidence: [{ path: 'browser/login-failure.png', label: 'login failure' }, { path: 'javascript:alert(1)', label: 'bad link' }],
  }),
]
const events: RolloutEvent[] = [
  { runId: run.id, at: '2026-11-25T10:00:00.000Z', type: 'run-started', environment: 'staging', resumed: false, steps: 3, pointOfNoReturn: 'migrate' },
  { runId: run.id, at: '2026-11-25T10:05:00.000Z', type: 'step-finished', stepId: 'browser', status: 'failed', summary: 'a | b', durationMs: 9000, pass: 'run' },
]
const input: IncidentInput = { run, steps, events, contacts: { onCall: 'ops@terp.example <pager>', escalation: 'cto@terp.example' } }

test('incident HTML: a standalone page with the report\'s sections, tables and code', () => {
  const html = renderIncidentHtml(input)
  assert.match(html, /^<!doctype html>\n<html lang="en">/)
  assert.match(html, /<title>Incident report: staging rollout r-2026-abc<\/title>/)
  assert.match(html, /<body class="outcome-rollback-failed">/)
  assert.match(html, /<h1>Incident report: staging rollout r-2026-abc<\/h1>/)
  for (const h of ['What failed', 'Steps', 'Rollback', 'State of the environment', 'To finish by hand', 'Timeline', 'Contacts']) assert.match(html, new RegExp(`<h2>${h}</h2>`))
  assert.match(html, /<li><strong>Outcome:<\/strong> rollback-failed — ROLLBACK INCOMPLETE/)
  assert.match(html, /<h3><code>browser<\/code> — browser<\/h3>/)
  // The rollback table: header row, one row per undone step, an escaped pipe kept inside its cell.
  assert.match(html, /<thead><tr><th>step<\/th><th>result<\/th><th>took<\/th><th>detail<\/th><\/tr><\/thead>/)
  assert.match(html, /<tr><td><code>deploy<\/code><\/td><td>rollback-failed<\/td><td>1\.5s<\/td><td>provider said: 503 \| try later<\/td><\/tr>/)
  assert.match(html, /<td>10:05:00\.000<\/td><td><code>browser<\/code> failed after 9\.0s: a \| b<\/td>/)
  assert.match(html, /<pre><code>page\.goto \/login\n&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;\nTimeoutError<\/code><\/pre>/)
  assert.match(html, /<li>Then let the tool finish and prove it: <code>rollout rollback r-2026-abc<\/code> \(undoes what is not put back yet, then re-runs the smoke tests\)<\/li>/)
  assert.match(html, /<a href="browser\/login-failure\.png">login failure<\/a>/)
  assert.match(html, /On-call engineer: ops@terp\.example &lt;pager&gt;/)
})

test('incident HTML: nothing in it can run or load: no script, no javascript: link, no external asset', () => {
  const html = renderIncidentHtml(input)
  assert.doesNotMatch(html, /<script/i)
  assert.doesNotMatch(html, /href="javascript:/i)
  assert.match(html, /bad link \(javascript:alert\(1\)\)/)
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i)
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/)
  assert.match(html, /&lt;not found&gt;/)
})

test('incident HTML: the Markdown file and the input give the same page', () => {
  assert.equal(renderIncidentHtml(renderIncident(input)), renderIncidentHtml(input))
})

test('markdown subset: paragraphs, lists, links by scheme, code spans keep their text literal', () => {
  assert.equal(
    markdownToHtml('Intro line\nsecond **bold** line\n\n- a `**not bold**`\n- [web](https://x.example/a?b=1&c=2)\n- [proto](//evil.example/x)'),
    [
      '<p>Intro line<br>\nsecond <strong>bold</strong> line</p>',
      '<ul>\n<li>a <code>**not bold**</code></li>\n<li><a href="https://x.example/a?b=1&amp;c=2">web</a></li>\n<li>proto (//evil.example/x)</li>\n</ul>',
    ].join('\n'),
  )
})

test('markdown subset: a link whose label holds code is one link, its code rendered, never raw markdown', () => {
  const html = markdownToHtml('- evidence: [create-order: Playwright trace (open with `npx playwright show-trace`)](browser/create-order-trace.zip)')
  assert.equal(html, '<ul>\n<li>evidence: <a href="browser/create-order-trace.zip">create-order: Playwright trace (open with <code>npx playwright show-trace</code>)</a></li>\n</ul>')
})

test('incident HTML: the failing step\'s screenshot is shown inline from its data, or linked when there is none', () => {
  const data = 'data:image/png;base64,iVBORw0KGgo='
  const shown = renderIncidentHtml(input, (src) => (src === 'browser/login-failure.png' ? data : undefined))
  const figure = /<h3><code>browser<\/code>[\s\S]*?<figure><img src="([^"]+)" alt="login failure"><figcaption>login failure<\/figcaption><\/figure>/.exec(shown)
  assert.ok(figure, 'no picture under the failing step')
  assert.equal(figure[1], data)
  // Without the picture's data the line is a link, as the Markdown file shows it.
  assert.doesNotMatch(renderIncidentHtml(input), /<img/)
  // A data source that answers something other than a picture is not trusted.
  assert.doesNotMatch(renderIncidentHtml(input, () => 'javascript:alert(1)'), /<img/)
})

test('the written incident.html carries the screenshot the step left in the run folder', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'rollout-incident-'))
  const store = new SqliteStore(path.join(stateDir, 'rollout.db'))
  try {
    await store.createRun(run)
    for (const s of steps) await store.upsertStep(s)
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e1e5a60000000049454e44ae426082', 'hex')
    const folder = path.join(stateDir, 'runs', run.id, 'browser')
    mkdirSync(folder, { recursive: true })
    writeFileSync(path.join(folder, 'login-failure.png'), png)
    const md = await writeIncidentReport(store, stateDir, run.id, new Redactor())
    assert.match(readFileSync(md, 'utf8'), /^!\[login failure\]\(browser\/login-failure\.png\)$/m)
    const html = readFileSync(path.join(path.dirname(md), 'incident.html'), 'utf8')
    assert.ok(html.includes(`<img src="data:image/png;base64,${png.toString('base64')}" alt="login failure">`), 'the picture is not in the page')
  } finally {
    store.close()
    rmSync(stateDir, { recursive: true, force: true })
  }
})
