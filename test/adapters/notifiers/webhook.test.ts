import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { createWebhookNotifier, verifySignature } from '../../../src/adapters/notifiers/webhook.js'
import type { Notification } from '../../../src/adapters/notifiers/notifier.js'
import { startReceiver } from './receiver.js'

const message: Notification = {
  event: 'rollback',
  environment: 'staging',
  runId: 'r-9',
  title: '↩️ Staging Deployment Rolled Back',
  text: 'smoke test "login" failed',
  fields: [{ label: 'Incident report', value: '.rollout/runs/r-9/incident.md' }],
}
const SECRET = 'whsec-test-4f2a9c'
const base = { secret: SECRET, headers: { 'x-api-key': 'k-123456' }, timeoutMs: 5000, maxRetries: 0, maxRetryWaitMs: 1000 }

test('webhook: a JSON POST whose HMAC-SHA256 signature of the raw body verifies with the secret', async (t) => {
  const receiver = await startReceiver([{ status: 204 }])
  t.after(receiver.close)
  const before = Math.floor(Date.now() / 1000)
  await createWebhookNotifier({ url: receiver.url('/hooks/rollout'), ...base }).send(message, { signal: AbortSignal.timeout(10_000) })
  const req = receiver.received[0]!
  // What a receiver does: HMAC of the raw bytes with the shared secret, compared with the header.
  const expected = `sha256=${createHmac('sha256', SECRET).update(req.body).digest('hex')}`
  assert.equal(req.headers['x-rollout-signature'], expected)
  assert.equal(verifySignature(req.body, req.headers['x-rollout-signature'] as string, SECRET), true)
  assert.equal(verifySignature(req.body, req.headers['x-rollout-signature'] as string, 'another-secret'), false)
  assert.equal(verifySignature(req.body.replace('r-9', 'r-8'), req.headers['x-rollout-signature'] as string, SECRET), false)

  const body = JSON.parse(req.body)
  assert.equal(body.event, 'rollback')
  assert.equal(body.runId, 'r-9')
  assert.deepEqual(body.fields, message.fields)
  assert.match(body.id, /^[0-9a-f-]{36}$/)
  // The timestamp is signed (inside the body) and repeated in a header.
  assert.equal(req.headers['x-rollout-timestamp'], String(body.timestamp))
  assert.ok(body.timestamp >= before && body.timestamp <= before + 5)
  assert.equal(req.headers['x-rollout-event'], 'rollback')
  assert.equal(req.headers['x-api-key'], 'k-123456')
  assert.ok(!req.body.includes(SECRET))
})

test('webhook: a receiver answering 500 fails the send with the status', async (t) => {
  const receiver = await startReceiver([{ status: 500, body: 'boom' }])
  t.after(receiver.close)
  await assert.rejects(
    createWebhookNotifier({ url: receiver.url('/hooks/rollout'), ...base, maxRetries: 1 }).send(message, { signal: AbortSignal.timeout(10_000) }),
    /webhook answered HTTP 500: boom \(after 2 attempts\)/,
  )
  // Retries carry the same delivery id, so a receiver can drop duplicates.
  assert.equal(receiver.received.length, 2)
  assert.equal(JSON.parse(receiver.received[0]!.body).id, JSON.parse(receiver.received[1]!.body).id)
})
