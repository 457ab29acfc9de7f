import { test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import { readFileSync } from 'node:fs'
import announce from '../../../src/steps/announce/announce.js'
import notify from '../../../src/steps/announce/notify.js'
import announceClose from '../../../src/steps/announce/announce-close.js'
import { closedPort, startReceiver } from '../../adapters/notifiers/receiver.js'
import { decodeMail, startSmtp } from '../../adapters/notifiers/smtp.js'
import { harness } from './context.js'
import { verifySignature } from '../../../src/adapters/notifiers/webhook.js'

const SECRET = 'whsec-announce-8841'
const HOOK = '/services/T1/B2/hooksecretpath'

test('announce: the runbook\'s Step 1 message reaches the console, Slack, the webhook and e-mail', async (t) => {
  const slack = await startReceiver()
  const hook = await startReceiver([{ status: 202 }])
  const smtp = await startSmtp()
  t.after(() => Promise.all([slack.close(), hook.close(), smtp.close()]))
  const h = harness(announce, {
    environment: {
      release: 'v1.4.0',
      notify: [
        { kind: 'slack', webhook: slack.url(HOOK) },
        { kind: 'webhook', url: hook.url('/in'), secret: SECRET },
        { kind: 'email', host: '127.0.0.1', port: smtp.port, starttls: 'off', user: 'rollout', password: 'smtp-pass-77', from: 'rollout@terp.example', to: 'team@terp.example' },
      ],
    },
    contacts: { deployer: 'Alice Martin' },
  })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.summary, 'announced on console, slack, webhook, email')

  // The console channel writes through the step's log: the runbook's message, line by line.
  const consoleLines = h.logs.filter((l) => l.startsWith('  │ ')).map((l) => l.slice(4))
  assert.deepEqual(consoleLines.slice(0, 5), [
    '📢 Staging Deployment Starting',
    'Rollout run-test-1 of v1.4.0 is starting.',
    'Environment: staging.terp-app.local',
    'Estimated Duration: 15-30 minutes',
    'Contact: Alice Martin',
  ])

  const blocks = JSON.parse(slack.received[0]!.body).blocks
  assert.equal(blocks[0].text.text, '📢 Staging Deployment Starting')
  assert.deepEqual(blocks[1].fields.map((f: { text: string }) => f.text), [
    '*Environment:*\nstaging.terp-app.local',
    '*Estimated Duration:*\n15-30 minutes',
    '*Contact:*\nAlice Martin',
    '*Release:*\nv1.4.0',
  ])
  const delivered = hook.received[0]!
  assert.ok(verifySignature(delivered.body, delivered.headers['x-rollout-signature'] as string, SECRET))
  assert.equal(JSON.parse(delivered.body).event, 'start')
  assert.match(decodeMail(smtp.mails[0]!.raw), /^Subject: \[rollout\] 📢 Staging Deployment Starting$/m)

  assert.equal(typeof outcome.data?.announcedAt, 'string')
  assert.equal(outcome.data?.estimate, '15-30 minutes')
})

test('announce: a channel that is down or failing makes a warning, recorded per channel, and never leaks its URL or secret', async (t) => {
  const slack = await startReceiver([{ status: 500, body: 'rollup_error' }])
  const down = await closedPort()
  t.after(slack.close)
  const h = harness(announce, {
    environment: {
      notify: [
        { kind: 'slack', webhook: slack.url(HOOK), maxRetries: 1 },
        { kind: 'webhook', url: `http://127.0.0.1:${down}/in/${SECRET}`, secret: SECRET, maxRetries: 0 },
        { kind: 'webhook', url: 'not a url', secret: SECRET },
      ],
    },
  })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'warning')
  assert.match(outcome.summary, /^announced on console; not delivered: /)
  assert.match(outcome.summary, /slack \(notify\[0\]\) — slack answered HTTP 500: rollup_error \(after 2 attempts\)/)
  assert.match(outcome.summary, /webhook \(notify\[1\]\) — webhook: TCP connection to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/)
  assert.match(outcome.summary, /webhook \(notify\[2\]\) — notify\[2\]\.url: expected an http:\/\/ or https:\/\/ URL/)

  const evidence = JSON.parse(h.readEvidence('notification-start.json'))
  assert.deepEqual(evidence.channels.map((c: { channel: string; status: string }) => [c.channel, c.status]), [
    ['console', 'sent'],
    ['slack (notify[0])', 'failed'],
    ['webhook (notify[1])', 'failed'],
    ['webhook (notify[2])', 'failed'],
  ])
  assert.equal(evidence.message.title, '📢 Staging Deployment Starting')
  assert.ok(h.logs.some((l) => /^slack \(notify\[0\]\): NOT DELIVERED: slack answered HTTP 500/.test(l)), h.logs.join('\n'))

  const everything = [JSON.stringify(outcome), h.logs.join('\n'), h.readEvidence('notification-start.json')].join('\n')
  assert.doesNotMatch(everything, /hooksecretpath|whsec-announce/)
  assert.equal(slack.received.length, 2)
})

test('announce: the estimate is the median of the last passed runs once there are three; the contact defaults to the OS user', async (t) => {
  const min = 60_000
  const three = harness(announce, {
    history: [
      { status: 'passed', durationMs: 14 * min },
      { status: 'rolled-back', durationMs: 40 * min },
      { status: 'passed', durationMs: 10 * min },
      { status: 'failed', durationMs: 1 * min },
      { status: 'passed', durationMs: 12 * min },
    ],
  })
  t.after(three.cleanup)
  await three.run()
  assert.ok(three.logs.includes('  │ Estimated Duration: about 12 minutes (median of the last 3 successful runs)'), three.logs.join('\n'))
  assert.ok(three.logs.includes(`  │ Contact: ${os.userInfo().username}`))

  const two = harness(announce, { history: [{ status: 'passed', durationMs: 5 * min }, { status: 'passed', durationMs: 6 * min }, { status: 'failed', durationMs: 1 * min }] })
  t.after(two.cleanup)
  await two.run()
  assert.ok(two.logs.includes('  │ Estimated Duration: 15-30 minutes'))
})

test('announce: a channel subscribed to other events is skipped, not failed', async (t) => {
  const hook = await startReceiver()
  t.after(hook.close)
  const h = harness(announce, { environment: { notify: [{ kind: 'webhook', url: hook.url('/in'), secret: SECRET, events: ['failure', 'rollback'] }] } })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed')
  assert.equal(hook.received.length, 0)
  assert.deepEqual(JSON.parse(h.readEvidence('notification-start.json')).channels[1].status, 'skipped')
})

test('notify: the success message carries the run\'s duration and phase timings; announce-close closes it', async (t) => {
  const slack = await startReceiver()
  t.after(slack.close)
  const start = Date.now() - 10 * 60_000
  const at = (offsetMs: number) => new Date(start + offsetMs).toISOString()
  const runSteps = [
    { stepId: 'ci-status', phase: 'preflight', title: 'CI', status: 'passed', startedAt: at(0), durationMs: 30_000 },
    { stepId: 'unit-tests', phase: 'preflight', title: 'tests', status: 'passed', startedAt: at(1000), durationMs: 60_000 },
    { stepId: 'backup', phase: 'backup', title: 'backup', status: 'warning', startedAt: at(61_000), durationMs: 45_000 },
    { stepId: 'deploy', phase: 'deploy', title: 'deploy', status: 'passed', startedAt: at(106_000), durationMs: 120_000 },
  ]
  const env = { release: 'v1.4.0', notify: [{ kind: 'slack', webhook: slack.url(HOOK) }] }
  const h = harness(notify, { environment: env, runSteps, contacts: { deployer: 'alice' } })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  const body = JSON.parse(slack.received[0]!.body)
  assert.equal(body.blocks[0].text.text, '✅ Staging Deployment Succeeded')
  assert.equal(body.blocks[1].text.text, 'v1.4.0 is live on staging.terp-app.local; 1 check only warned (backup).')
  const fields = Object.fromEntries(body.blocks[1].fields.map((f: { text: string }) => f.text.replace(/^\*(.*):\*\n/, '$1\u0000').split('\u0000')))
  assert.match(fields.Duration, /^10m( \d+s)?$/)
  assert.equal(fields.Timings, 'preflight 1m 1s · backup 45.0s · deploy 2m')
  assert.equal(fields.Release, 'v1.4.0')

  const close = harness(announceClose, { environment: env, runSteps, outputs: { announce: { announcedAt: at(0) } } })
  t.after(close.cleanup)
  const closed = await close.run()
  assert.equal(closed.status, 'passed')
  const closeBody = JSON.parse(slack.received[1]!.body)
  assert.equal(closeBody.blocks[0].text.text, '🏁 Staging Deployment Finished')
  assert.match(closeBody.blocks[1].text.text, new RegExp(`announced at ${at(0).slice(11, 16)} UTC is over: passed with 1 warning\\.`))
})

test('announce-close without a record still closes, with the time since the announcement', async (t) => {
  const h = harness(announceClose, { outputs: { announce: { announcedAt: new Date(Date.now() - 90_000).toISOString() } } })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed')
  assert.ok(h.logs.includes('  │ Result: passed'))
  assert.ok(h.logs.some((l) => /^ {2}│ Duration: 1m 3\ds$/.test(l)), h.logs.join('\n'))
  assert.ok(JSON.parse(readFileSync(`${h.ctx.evidenceDir}/notification-close.json`, 'utf8')).message.event === 'close')
})
