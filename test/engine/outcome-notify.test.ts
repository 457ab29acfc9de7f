import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { makeProject, runCli, stepsOnly } from '../support/cli.js'
import { verifySignature } from '../../src/adapters/notifiers/webhook.js'

const ROLLING_BACK = [
  { id: 'mig', phase: 'migrate', kind: 'command', changesEnvironment: true, options: { command: 'true', undo: 'true' } },
  { id: 'smoke', phase: 'smoke', kind: 'command', options: { command: 'test -e undone || { touch undone; exit 1; }' } },
]

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
    const dir = makeProject(stepsOnly(ROLLING_BACK, {
      notify: [
        { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret: 'hook-secret-123' },
        { kind: 'webhook', url: 'http://127.0.0.1:9/down', secret: 'hook-secret-123', maxRetries: 0 },
      ],
    }))
    const result = await runCli(['run', 'staging'], { cwd: dir })
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.match(result.stdout, /! could not notify webhook \(notify\[1\]\)/)
    assert.equal(received.length, 1)
    const message = JSON.parse(received[0]!.body) as { event: string; text: string; fields: { label: string; value: string }[] }
    assert.equal(received[0]!.event, 'rollback')
    assert.ok(verifySignature(received[0]!.body, received[0]!.signature, 'hook-secret-123'), 'the signature does not verify')
    assert.ok(JSON.stringify(message).includes('incident.md'), 'the incident report is not named')
    assert.ok(!result.stdout.includes('hook-secret-123'))
  } finally {
    server.close()
  }
})
