import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEmailNotifier, type EmailOptions } from '../../../src/adapters/notifiers/email.js'
import type { Notification } from '../../../src/adapters/notifiers/notifier.js'
import { closedPort } from './receiver.js'
import { decodeMail as decode, startSmtp } from './smtp.js'

const message: Notification = {
  event: 'success',
  environment: 'staging',
  runId: 'r-42',
  title: '✅ Staging Deployment Succeeded',
  text: 'v1.4.0 is live on staging.terp-app.local; every check passed.',
  fields: [{ label: 'Duration', value: '12m 5s' }, { label: 'Note', value: '<script>alert(1)</script>' }],
  url: 'https://staging.terp-app.local/',
}

function options(port: number, extra: Partial<EmailOptions> = {}): EmailOptions {
  return {
    host: '127.0.0.1', port, secure: false, starttls: 'off', user: 'rollout', password: 'smtp-pass-77',
    from: 'rollout@terp.example', to: ['team@terp.example', 'ops@terp.example'], subjectPrefix: '[rollout]', timeoutMs: 5000, ...extra,
  }
}

test('email: the message arrives over SMTP with its subject, a text part and an escaped HTML part', async (t) => {
  const smtp = await startSmtp()
  t.after(smtp.close)
  await createEmailNotifier(options(smtp.port)).send(message, { signal: AbortSignal.timeout(10_000) })
  assert.equal(smtp.mails.length, 1)
  const mail = smtp.mails[0]!
  assert.equal(mail.user, 'rollout')
  assert.equal(mail.from, 'rollout@terp.example')
  assert.deepEqual(mail.to, ['team@terp.example', 'ops@terp.example'])
  const text = decode(mail.raw)
  assert.match(text, /^Subject: \[rollout\] ✅ Staging Deployment Succeeded$/m)
  assert.match(text, /^X-Rollout-Run: r-42$/m)
  assert.match(text, /Content-Type: text\/plain/)
  assert.match(text, /Content-Type: text\/html/)
  assert.match(text, /v1\.4\.0 is live on staging\.terp-app\.local; every check passed\.\r?\nDuration: 12m 5s/)
  assert.match(text, /<th[^>]*>Duration<\/th><td>12m 5s<\/td>/)
  assert.match(text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.doesNotMatch(text, /<td><script>/)
  assert.doesNotMatch(text, /smtp-pass-77/)
})

test('email: a wrong password fails with the server\'s answer, never the password', async (t) => {
  const smtp = await startSmtp()
  t.after(smtp.close)
  await assert.rejects(createEmailNotifier(options(smtp.port, { password: 'wrong-pass-1' })).send(message, { signal: AbortSignal.timeout(10_000) }), (e: Error) => {
    assert.match(e.message, /email via 127\.0\.0\.1:\d+: .*Invalid/)
    assert.doesNotMatch(e.message, /wrong-pass-1/)
    return true
  })
  assert.equal(smtp.mails.length, 0)
})

test('email: a server that is down fails the send', async () => {
  const port = await closedPort()
  await assert.rejects(createEmailNotifier(options(port)).send(message, { signal: AbortSignal.timeout(10_000) }), /email via 127\.0\.0\.1:\d+: .*ECONNREFUSED/)
})
