import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { createEmailNotifier, type EmailOptions } from '../../../src/adapters/notifiers/email.js'
import type { Notification } from '../../../src/adapters/notifiers/notifier.js'
import { closedPort } from './receiver.js'

interface Mail {
  from: string
  to: string[]
  raw: string
  user?: string
}

/** A real SMTP server on a free port that keeps what it receives; it checks one login. */
async function startSmtp() {
  const mails: Mail[] = []
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'rollout' && auth.password === 'smtp-pass-77') callback(null, { user: auth.username })
      else callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Undoes RFC 2047 encoded words in the headers and quoted-printable in the body: enough to read what nodemailer wrote. */
function decode(raw: string): string {
  const qp = (s: string) => Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
  const split = raw.indexOf('\r\n\r\n')
  const headers = raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')),
    )
  return `${headers}\r\n\r\n${qp(raw.slice(split + 4))}`
}

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
