import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSlackNotifier, slackPayload } from '../../../src/adapters/notifiers/slack.js'
import { NotifyError, type Notification } from '../../../src/adapters/notifiers/notifier.js'
import { closedPort, startReceiver } from './receiver.js'

const message: Notification = {
  event: 'start',
  environment: 'staging',
  runId: 'r-123',
  title: '📢 Staging Deployment Starting',
  text: 'Rollout r-123 of v1.4.0 <main> is starting.',
  fields: [
    { label: 'Environment', value: 'staging.terp-app.local' },
    { label: 'Estimated Duration', value: '15-30 minutes' },
    { label: 'Contact', value: 'alice' },
  ],
  url: 'https://staging.terp-app.local/',
}
const HOOK = '/services/T000/B000/XXXXSECRET'
const opts = { timeoutMs: 5000, maxRetries: 2, maxRetryWaitMs: 5000 }
const signal = () => AbortSignal.timeout(20_000)

test('slack: posts a Block Kit message (header, section with fields, context) to the webhook', async (t) => {
  const slack = await startReceiver()
  t.after(slack.close)
  await createSlackNotifier({ webhook: slack.url(HOOK), ...opts }).send(message, { signal: signal() })
  assert.equal(slack.received.length, 1)
  const req = slack.received[0]!
  assert.equal(req.method, 'POST')
  assert.equal(req.path, HOOK)
  assert.match(String(req.headers['content-type']), /application\/json/)
  const body = JSON.parse(req.body)
  assert.match(body.text, /Staging Deployment Starting/)
  const [header, section, context] = body.blocks
  assert.deepEqual(header, { type: 'header', text: { type: 'plain_text', text: '📢 Staging Deployment Starting', emoji: true } })
  assert.equal(section.type, 'section')
  // Slack's mrkdwn needs <, > and & escaped, or `<main>` would be read as a link.
  assert.equal(section.text.text, 'Rollout r-123 of v1.4.0 &lt;main&gt; is starting.')
  assert.deepEqual(section.fields, [
    { type: 'mrkdwn', text: '*Environment:*\nstaging.terp-app.local' },
    { type: 'mrkdwn', text: '*Estimated Duration:*\n15-30 minutes' },
    { type: 'mrkdwn', text: '*Contact:*\nalice' },
  ])
  assert.equal(context.type, 'context')
  assert.match(context.elements[0].text, /staging · run `r-123`/)
  assert.equal(context.elements[1].text, '<https://staging.terp-app.local/|https://staging.terp-app.local/>')
})

test('slack: more than ten fields go into further sections; a long header is cut to 150 characters', () => {
  const many = { ...message, title: 'x'.repeat(300), fields: Array.from({ length: 23 }, (_, i) => ({ label: `f${i}`, value: String(i) })) }
  const blocks = slackPayload(many).blocks as { type: string; fields?: unknown[]; text?: { text: string } }[]
  assert.equal(blocks[0]!.text!.text.length, 150)
  assert.deepEqual(blocks.filter((b) => b.type === 'section').map((b) => b.fields!.length), [10, 10, 3])
})

test('slack: a 429 is retried after its Retry-After', async (t) => {
  const slack = await startReceiver([{ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, { status: 200, body: 'ok' }])
  t.after(slack.close)
  await createSlackNotifier({ webhook: slack.url(HOOK), ...opts }).send(message, { signal: signal() })
  assert.equal(slack.received.length, 2)
  assert.equal(slack.received[1]!.body, slack.received[0]!.body)
})

test('slack: a 429 asking for a longer wait than allowed fails at once, naming the wait', async (t) => {
  const slack = await startReceiver([{ status: 429, body: 'rate_limited', headers: { 'retry-after': '120' } }])
  t.after(slack.close)
  await assert.rejects(createSlackNotifier({ webhook: slack.url(HOOK), ...opts }).send(message, { signal: signal() }), (e: NotifyError) => {
    assert.match(e.message, /HTTP 429.*asked to wait 120 s/)
    assert.equal(e.status, 429)
    return true
  })
  assert.equal(slack.received.length, 1)
})

test('slack: a 500 is retried a bounded number of times, then fails without showing the webhook', async (t) => {
  const slack = await startReceiver([{ status: 500, body: 'rollup_error' }])
  t.after(slack.close)
  await assert.rejects(createSlackNotifier({ webhook: slack.url(HOOK), ...opts, maxRetries: 1 }).send(message, { signal: signal() }), (e: NotifyError) => {
    assert.match(e.message, /slack answered HTTP 500: rollup_error \(after 2 attempts\)/)
    assert.doesNotMatch(e.message, /SECRET|services/)
    return true
  })
  assert.equal(slack.received.length, 2)
})

test('slack: a 4xx such as channel_not_found is not retried', async (t) => {
  const slack = await startReceiver([{ status: 404, body: 'channel_not_found' }])
  t.after(slack.close)
  await assert.rejects(createSlackNotifier({ webhook: slack.url(HOOK), ...opts }).send(message, { signal: signal() }), /HTTP 404: channel_not_found/)
  assert.equal(slack.received.length, 1)
})

test('slack: a refused connection fails with the stage named', async () => {
  const port = await closedPort()
  await assert.rejects(
    createSlackNotifier({ webhook: `http://127.0.0.1:${port}${HOOK}`, ...opts, maxRetries: 1 }).send(message, { signal: signal() }),
    (e: NotifyError) => {
      assert.match(e.message, /TCP connection to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\).*after 2 attempts/)
      assert.doesNotMatch(e.message, /SECRET/)
      return true
    },
  )
})
