import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createNotifier, validateNotifyConfig } from '../../../src/adapters/notifiers/index.js'
import { Redactor } from '../../../src/config/redact.js'
import { ConfigError } from '../../../src/shared/errors.js'

test('notify config: errors name notify[i].<key> and what was expected', () => {
  assert.throws(() => createNotifier({ kind: 'slack', webhook: 'hooks.slack.com/x' }, { index: 2 }), (e: ConfigError) => {
    assert.ok(e instanceof ConfigError)
    assert.equal(e.message, 'notify[2].webhook: expected an http:// or https:// URL')
    return true
  })
  assert.throws(() => createNotifier({ kind: 'teams', url: 'https://x' }, { index: 0 }), /^ConfigError: notify\[0\]\.kind: expected one of "console", "slack", "webhook", "email", got "teams"$/)
  assert.throws(() => createNotifier({ kind: 'webhook', url: 'https://hooks.example/x' }, { index: 1 }), /notify\[1\]\.secret: missing; expected string/)
  assert.throws(() => createNotifier({ kind: 'email', host: 'smtp', from: 'a@b.c', to: 'd@e.f', port: 'x' }), /notify\[0\]\.port: expected number, got a string/)
  assert.throws(() => createNotifier({ kind: 'slack', webhook: 'https://h/x', channel: '#ops' }), /notify\[0\]: unknown key "channel"/)
  assert.throws(() => createNotifier({ kind: 'slack', webhook: 'https://h/x', events: ['deploy'] }), /notify\[0\]\.events\[0\]: expected one of "start", "success", "failure", "rollback", "close"/)
})

test('notify config: the whole list is checked at once, every problem listed', () => {
  assert.throws(
    () => validateNotifyConfig([{ kind: 'console' }, { kind: 'slack' }, { kind: 'email', host: 'smtp', from: 'a@b.c' }]),
    (e: Error) => {
      assert.equal(e.message.split('\n').length, 2)
      assert.match(e.message, /^notify\[1\]\.webhook: missing/m)
      assert.match(e.message, /^notify\[2\]\.to: /m)
      return true
    },
  )
  const ok = validateNotifyConfig([{ kind: 'email', host: 'smtp', from: 'a@b.c', to: 'd@e.f', port: 465, timeout: '5s' }])
  assert.deepEqual(ok[0], {
    kind: 'email', host: 'smtp', from: 'a@b.c', to: ['d@e.f'], port: 465, secure: true, starttls: 'opportunistic',
    subjectPrefix: '[rollout]', timeout: 5000,
  })
})

test('notify config: webhook URLs, secrets and passwords are registered with the redactor', () => {
  const redactor = new Redactor()
  createNotifier({ kind: 'webhook', url: 'https://hooks.example/T1/abcdef', secret: 's3cr3t-value', headers: { authorization: 'Bearer tok-998877' } }, { redactor })
  createNotifier({ kind: 'slack', webhook: 'https://hooks.slack.com/services/T0/B0/zzzz' }, { redactor })
  createNotifier({ kind: 'email', host: 'smtp', from: 'a@b.c', to: 'd@e.f', user: 'u', password: 'mail-pass-1' }, { redactor })
  const line = 'posting to https://hooks.example/T1/abcdef with s3cr3t-value, Bearer tok-998877, https://hooks.slack.com/services/T0/B0/zzzz, mail-pass-1'
  assert.equal(redactor.redact(line), 'posting to [redacted] with [redacted], [redacted], [redacted], [redacted]')
})
