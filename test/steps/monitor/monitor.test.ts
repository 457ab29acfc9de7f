import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import monitor from '../../../src/steps/monitor/monitor.js'
import { harness } from '../announce/context.js'
import { startReceiver } from '../../adapters/notifiers/receiver.js'

/**
 * A small app: healthy until `breakAfter` health requests have been answered, then its health check
 * answers 500 (or, with `errorsOnly`, it stays up but reports 12 errors a minute).
 */
async function startApp(opts: { breakAfter?: number; errorsOnly?: boolean } = {}) {
  let healthRequests = 0
  let metricRequests = 0
  const queries: string[] = []
  const broken = () => opts.breakAfter !== undefined && (opts.errorsOnly ? metricRequests : healthRequests) > opts.breakAfter
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/api/health') {
      healthRequests++
      if (broken() && !opts.errorsOnly) return void res.writeHead(500).end('db down')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    }
    if (url.pathname === '/metrics.json') {
      metricRequests++
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: { perMinute: broken() ? 12 : 0 } }))
    }
    if (url.pathname === '/api/v1/query') {
      queries.push(url.searchParams.get('query') ?? '')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { job: 'terp' }, value: [Date.now() / 1000, '0.5'] }] },
      }))
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    // Reached by name through the environment's resolve map, as a staging host would be.
    environment: { url: `http://staging.terp-app.local:${port}`, resolve: { 'staging.terp-app.local': '127.0.0.1' } },
    port,
    queries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

test('monitor: the app starts failing its health check midway → breach → the step fails, naming it', async (t) => {
  const app = await startApp({ breakAfter: 5 })
  t.after(app.close)
  const h = harness(monitor, { environment: { ...app.environment, monitor: { window: '5s' } }, options: { interval: '200ms' } })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^breach after [\d.]+m?s: health check failed 3 times in a row \(last: HTTP 500: db down\)$/)
  const evidence = JSON.parse(h.readEvidence('samples.json'))
  assert.deepEqual(evidence.samples.map((s: { health: { ok: boolean } }) => s.health.ok), [true, true, true, true, true, false, false, false])
  assert.equal(evidence.breach.kind, 'health')
  assert.equal(evidence.healthUrl, `${app.environment.url}/api/health`)
  assert.ok(h.logs.some((l) => /health FAILED: HTTP 500: db down/.test(l)), h.logs.join('\n'))
  assert.equal((outcome.data?.samples as unknown[]).length, 8)
})

test('monitor: the error rate (a JSON metric) climbs above the limit → breach', async (t) => {
  const app = await startApp({ breakAfter: 3, errorsOnly: true })
  t.after(app.close)
  const h = harness(monitor, {
    environment: { ...app.environment, monitor: { window: '5s', interval: '200ms', errors: { source: 'metric', url: '/metrics.json', field: 'errors.perMinute', maxPerMinute: 5 } } },
  })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^breach after [\d.]+m?s: error rate 12\/min above the limit of 5\/min, baseline 0\/min at the window's start$/)
  const evidence = JSON.parse(h.readEvidence('samples.json'))
  assert.deepEqual(evidence.samples.map((s: { errorsPerMinute: number }) => s.errorsPerMinute), [0, 0, 0, 12])
  assert.deepEqual(evidence.baseline, { perMinute: 0, source: 'window-start' })
})

test('monitor: a quiet window passes, with the Prometheus query sent as documented', async (t) => {
  const app = await startApp()
  t.after(app.close)
  const query = 'sum(rate(http_requests_total{code=~"5.."}[1m]))*60'
  const h = harness(monitor, {
    environment: { ...app.environment, monitor: { window: '1s', errors: { source: 'prometheus', url: `http://127.0.0.1:${app.port}`, query } } },
    options: { interval: '250ms' },
  })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.equal(outcome.summary, 'quiet for 1.0s: 5 samples, health 5/5 OK, errors at most 0.5/min (limit 5/min, baseline 0.5/min)')
  assert.equal(app.queries.length, 5)
  assert.equal(app.queries[0], query)
})

test('monitor: with onBreach "alert" a breach only warns, and the alert goes to the channels', async (t) => {
  const app = await startApp({ breakAfter: 1, errorsOnly: true })
  const hook = await startReceiver()
  t.after(() => Promise.all([app.close(), hook.close()]))
  const h = harness(monitor, {
    environment: {
      ...app.environment,
      monitor: { window: '5s', onBreach: 'alert', errors: { source: 'metric', url: '/metrics.json', field: 'errors.perMinute' } },
      notify: [{ kind: 'webhook', url: hook.url('/alerts'), secret: 'whsec-monitor-1' }],
    },
    options: { interval: '100ms' },
  })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'warning')
  assert.match(outcome.summary, /error rate 12\/min above the limit of 5\/min.* \(alert only\)$/)
  const alert = JSON.parse(hook.received[0]!.body)
  assert.equal(alert.event, 'failure')
  assert.equal(alert.title, '⚠️ Staging Monitoring Alert')
  assert.match(alert.text, /error rate 12\/min/)
})

test('monitor: a baseline sampled before the deploy raises the limit to it', async (t) => {
  const app = await startApp({ breakAfter: 0, errorsOnly: true })
  t.after(app.close)
  const h = harness(monitor, {
    environment: { ...app.environment, monitor: { window: '600ms', health: false, errors: { source: 'metric', url: '/metrics.json', field: 'errors.perMinute' } } },
    options: { interval: '200ms' },
    outputs: { 'logs-baseline': { errorsPerMinute: 12 } },
  })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.match(outcome.summary, /errors at most 12\/min \(limit 12\/min, baseline 12\/min\)/)
})

test('monitor: log-based error rate without a provider is reported, not guessed', async (t) => {
  const app = await startApp()
  t.after(app.close)
  const h = harness(monitor, { environment: { ...app.environment, monitor: { window: '200ms', errors: { source: 'logs' } } }, options: { interval: '100ms' } })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'warning')
  assert.match(outcome.summary, /the error rate could not be read: monitor\.errors\.source is "logs" but the environment has no `provider`/)
})

test('monitor: settings errors name the key; cancelling stops the window', async (t) => {
  const bad = harness(monitor, { environment: { monitor: { window: '1s', errors: { source: 'prometheus', url: 'http://p:9090' }, health: { failuresInRow: 0 } } } })
  t.after(bad.cleanup)
  const outcome = await bad.run()
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^invalid monitoring settings: monitor\.health\.failuresInRow: expected a number >= 1, got 0/)

  const bad2 = harness(monitor, { environment: { monitor: { window: '1s', errors: { source: 'prometheus', url: 'http://p:9090' } } } })
  t.after(bad2.cleanup)
  assert.equal((await bad2.run()).summary, 'invalid monitoring settings: monitor.errors.query: missing; expected string')

  const app = await startApp()
  t.after(app.close)
  const controller = new AbortController()
  const h = harness(monitor, { environment: { ...app.environment, monitor: { window: '30m' } }, options: { interval: '100ms' }, signal: controller.signal })
  t.after(h.cleanup)
  const running = h.run()
  while (h.logs.filter((l) => l.includes('health 200')).length < 2) await new Promise((r) => setTimeout(r, 20))
  controller.abort()
  const stopped = await running
  assert.equal(stopped.status, 'failed')
  assert.match(stopped.summary, /^monitoring stopped after [\d.]+m?s, before the window closed \(\d+ samples, no breach seen\)$/)
})

test('monitor: a log-based error rate from logs that give no line is a warning, not a quiet window', async (t) => {
  const app = await startApp()
  t.after(app.close)
  const provider = { kind: 'command', deploy: 'echo dep-1', logs: 'true' }
  const h = harness(monitor, { environment: { ...app.environment, provider, monitor: { window: '300ms', health: false, errors: { source: 'logs' } } }, options: { interval: '100ms' } })
  t.after(h.cleanup)
  const outcome = await h.run()
  assert.equal(outcome.status, 'warning', outcome.summary)
  assert.match(outcome.summary, /the error rate could not be read: the deploy provider's logs gave 0 lines/)
})
