import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifySignature } from '../../src/adapters/notifiers/webhook.js'
import { engineProject, fake, fakeWorld } from '../support/engine.js'

// In-process with fake step kinds; the webhook is a real local HTTP server.
test('a rolled-back run tells the team, signed, with the incident report; a channel that is down is only a warning', async () => {
  const received: { body: string; signature?: string; event?: string }[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push({ body, signature: req.headers['x-rollout-signature'] as string, event: req.headers['x-rollout-event'] as string })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  try {
    const world = fakeWorld()
    const project = engineProject({
      kinds: world.kinds,
      // The smoke step fails once, after the change, and passes when it proves the rollback.
      add: [fake('mig', 'migrate', 'fake-change', { key: 'schema', value: 2 }), fake('smoke', 'smoke', 'fake-check', { failAttempts: 1 })],
      extra: {
        notify: [
          { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret: 'hook-secret-123' },
          { kind: 'webhook', url: 'http://127.0.0.1:9/down', secret: 'hook-secret-123', maxRetries: 0 },
        ],
      },
    })
    const { result, events, record } = await project.run()
    assert.equal(result.status, 'rolled-back', result.summary)
    assert.ok(events.some((e) => e.type === 'warning' && /^could not notify webhook \(notify\[1\]\)/.test(e.message)), 'the channel that is down was not reported')
    assert.equal(received.length, 1)
    const message = JSON.parse(received[0]!.body) as { event: string; text: string; fields: { label: string; value: string }[] }
    assert.equal(received[0]!.event, 'rollback')
    assert.ok(verifySignature(received[0]!.body, received[0]!.signature, 'hook-secret-123'), 'the signature does not verify')
    assert.ok(JSON.stringify(message).includes('incident.md'), 'the incident report is not named')
    assert.ok(JSON.stringify(message).includes(result.incidentReport!), 'the message names another report')
    assert.ok(!JSON.stringify(events).includes('hook-secret-123') && !JSON.stringify(record).includes('hook-secret-123'), 'the secret leaked')
  } finally {
    server.close()
  }
})
