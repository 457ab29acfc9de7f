import { test } from 'node:test'
import assert from 'node:assert/strict'
import { notifyRunOutcome } from '../../../src/steps/announce/outcome.js'
import { Redactor } from '../../../src/config/redact.js'
import { closedPort, startReceiver } from '../../adapters/notifiers/receiver.js'

const environment = (notify: unknown[]) => ({ url: 'https://staging.terp-app.local', notify: notify as { kind: string }[], release: 'v1.4.0' })

test('notifyRunOutcome: the rollback message names the failed step, the incident report and the contacts', async (t) => {
  const hook = await startReceiver()
  const slack = await startReceiver()
  t.after(() => Promise.all([hook.close(), slack.close()]))
  const lines: string[] = []
  const results = await notifyRunOutcome({
    outcome: 'rollback-failed',
    runId: 'r-77',
    environmentName: 'staging',
    environment: environment([{ kind: 'webhook', url: hook.url('/in'), secret: 'sekrit-1234' }, { kind: 'slack', webhook: slack.url('/services/x/y/z') }]),
    summary: 'rollback did not complete: deploy',
    failedStep: { id: 'browser', summary: 'login page answered 500' },
    incidentReport: '.rollout/runs/r-77/incident.md',
    durationMs: 125_000,
    contacts: { onCall: 'ops@terp.example', database: 'db@terp.example', escalation: 'cto@terp.example' },
    redactor: new Redactor(),
    log: (l) => lines.push(l),
  })
  assert.deepEqual(results.map((r) => r.status), ['sent', 'sent', 'sent'])
  const body = JSON.parse(hook.received[0]!.body)
  assert.equal(body.event, 'rollback')
  assert.equal(body.title, '🚨 Staging Rollback Incomplete — manual action needed')
  assert.deepEqual(Object.fromEntries(body.fields.map((f: { label: string; value: string }) => [f.label, f.value])), {
    Environment: 'staging.terp-app.local',
    Release: 'v1.4.0',
    'Failed step': 'browser: login page answered 500',
    Duration: '2m 5s',
    'Incident report': '.rollout/runs/r-77/incident.md',
    'On-call engineer': 'ops@terp.example',
    'Database team': 'db@terp.example',
    Escalation: 'cto@terp.example',
  })
  assert.match(body.text, /rollback did not complete: deploy/)
  assert.equal(JSON.parse(slack.received[0]!.body).blocks[0].text.text, '🚨 Staging Rollback Incomplete — manual action needed')
  assert.ok(lines.includes('  │ 🚨 Staging Rollback Incomplete — manual action needed'))
})

test('notifyRunOutcome: a failure before the point of no return; a channel that is down is reported, not thrown', async () => {
  const port = await closedPort()
  const lines: string[] = []
  const results = await notifyRunOutcome({
    outcome: 'failed',
    runId: 'r-78',
    environmentName: 'staging',
    environment: environment([{ kind: 'webhook', url: `http://127.0.0.1:${port}/in/tok-abcdef`, secret: 'sekrit-1234', maxRetries: 0 }]),
    summary: 'ci-status failed',
    redactor: new Redactor(),
    log: (l) => lines.push(l),
  })
  assert.deepEqual(results.map((r) => [r.channel, r.status]), [['console', 'sent'], ['webhook (notify[0])', 'failed']])
  assert.match(results[1]!.detail!, /ECONNREFUSED/)
  assert.ok(lines.includes('  │ ❌ Staging Deployment Stopped'))
  assert.ok(lines.some((l) => /^webhook \(notify\[0\]\): NOT DELIVERED/.test(l)))
  assert.doesNotMatch(lines.join('\n'), /tok-abcdef|sekrit/)
})
