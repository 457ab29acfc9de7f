import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import logs from '../../../src/steps/verify/logs.js'
import logsBaseline from '../../../src/steps/verify/logs-baseline.js'
import { providerLines } from '../../../src/steps/verify/log-source.js'
import type { DeployProvider } from '../../../src/adapters/providers/provider.js'
import { harness } from '../smoke/context.js'

/** The app's log before the deploy: two old errors among info lines, JSON and plain text mixed. */
const BEFORE = [
  '{"level":"info","time":"2026-11-25T10:00:00.000Z","msg":"listening on :3000"}',
  '{"level":"error","time":"2026-11-25T10:00:01.000Z","msg":"upstream timeout on /api/reports"}',
  '2026-11-25T10:00:02.000Z INFO GET /health 200',
  '2026-11-25T10:00:03.000Z ERROR mail queue: connection reset',
  '{"level":30,"time":1795600804000,"msg":"GET /dashboard 200"}',
]
/** After the deploy: three new errors (a JSON level, a pino number, plain text), an info line that mentions "error", known noise. */
const AFTER = [
  '{"level":"info","time":"2026-11-25T10:05:00.000Z","msg":"release v3 started"}',
  '{"level":"error","time":"2026-11-25T10:05:01.000Z","msg":"Unknown column \'orders.priority\' in \'field list\'"}',
  '{"level":"info","time":"2026-11-25T10:05:02.000Z","msg":"client sent error report, handled"}',
  '{"level":50,"time":1795601103000,"msg":"order create failed: ER_BAD_FIELD_ERROR"}',
  '2026-11-25T10:05:04.000Z ERROR POST /trpc/orders.create 500',
  '2026-11-25T10:05:05.000Z ERROR favicon.ico missing',
]

function project(lines: string[]) {
  const baseline = harness(logsBaseline, { phase: 'environment', options: { source: { file: 'app.log' } } })
  writeFileSync(path.join(baseline.dir, 'app.log'), `${lines.join('\n')}\n`)
  return baseline
}

test('a log with new errors after a deploy fails the check, naming them; old errors and noise do not count', async () => {
  const before = project(BEFORE)
  try {
    const sample = await before.run()
    assert.equal(sample.status, 'passed')
    assert.equal(sample.summary, '2 error lines in the last 5 log lines, newest line 2026-11-25T10:00:04.000Z')
    assert.equal(sample.data!.errorCount, 2)

    appendFileSync(path.join(before.dir, 'app.log'), `${AFTER.join('\n')}\n`)
    const after = harness(logs, { phase: 'verify', cwd: before.dir, options: { source: { file: 'app.log' }, ignore: ['favicon\\.ico'] }, outputs: { 'logs-baseline': sample.data! } })
    const outcome = await after.run()
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.summary, '3 new error lines after the deploy, threshold 0 (2 before the deploy, 5 in the last 11 lines, 1 ignored as known noise); latest: 2026-11-25T10:05:04.000Z ERROR POST /trpc/orders.create 500')
    assert.deepEqual({ ...outcome.data }, { lineCount: 11, errorCount: 5, baselineErrorCount: 2, newErrors: 3, ignored: 1, threshold: 0, method: 'time' })
    const evidence = after.readEvidence('error-lines.log').trim().split('\n')
    assert.equal(evidence[0], '# 3 error lines newer than the sample before the deploy (2026-11-25T10:00:04.000Z)')
    assert.deepEqual(evidence.slice(1), [AFTER[1], AFTER[3], AFTER[4]])

    const tolerant = harness(logs, { phase: 'verify', cwd: before.dir, environment: { logs: { source: { file: 'app.log' }, threshold: 3, ignore: ['favicon'] } }, outputs: { 'logs-baseline': sample.data! } })
    const ok = await tolerant.run()
    assert.equal(ok.status, 'passed', ok.summary)
    assert.match(ok.summary, /^3 new error lines after the deploy, threshold 3/)
    tolerant.cleanup()
    after.cleanup()
  } finally {
    before.cleanup()
  }
})

test('lines without times are compared by count; without a sample every error counts', async () => {
  const plain = (n: number) => Array.from({ length: n }, (_, i) => `worker ${i}: Error: job failed`)
  const before = harness(logsBaseline, { phase: 'environment', options: { source: { command: 'cat app.log' }, lines: 50 } })
  try {
    writeFileSync(path.join(before.dir, 'app.log'), `started\n${plain(2).join('\n')}\n`)
    const sample = await before.run()
    assert.equal(sample.data!.errorCount, 2)
    assert.equal(sample.data!.newestAt, undefined)
    appendFileSync(path.join(before.dir, 'app.log'), `${plain(4).join('\n')}\nall good\n`)

    const after = harness(logs, { phase: 'verify', cwd: before.dir, options: { source: { command: 'cat app.log' } }, outputs: { baseline: sample.data! } })
    const outcome = await after.run()
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.data!.method, 'count')
    assert.equal(outcome.data!.newErrors, 4)
    assert.match(after.readEvidence('error-lines.log'), /^# 6 error lines now, 2 before the deploy\n/)
    after.cleanup()

    const alone = harness(logs, { phase: 'verify', cwd: before.dir, options: { source: { command: 'cat app.log' } } })
    const counted = await alone.run()
    assert.equal(counted.data!.newErrors, 6)
    assert.ok(alone.logs.some((l) => l.startsWith('no log sample from before the deploy (add a logs-baseline step')))
    alone.cleanup()
  } finally {
    before.cleanup()
  }
})

test("the provider's logs: the deploy provider the environment names gives the lines, of the new deployment", async () => {
  const provider = { kind: 'command', deploy: 'echo dep-1', logs: 'echo "deployment=$ROLLOUT_DEPLOYMENT_ID" >> asked.txt; tail -n {lines} app.log' }
  const before = harness(logsBaseline, { phase: 'environment', environment: { provider } })
  try {
    writeFileSync(path.join(before.dir, 'app.log'), `${BEFORE.join('\n')}\n`)
    const sample = await before.run()
    assert.equal(sample.status, 'passed', sample.summary)
    assert.equal(sample.data!.errorCount, 2)
    appendFileSync(path.join(before.dir, 'app.log'), `${AFTER.join('\n')}\n`)
    const after = harness(logs, { phase: 'verify', cwd: before.dir, environment: { provider }, options: { lines: 6 }, outputs: { 'logs-baseline': sample.data!, deploy: { deploymentId: 'dep-2' } } })
    const outcome = await after.run()
    assert.equal(outcome.status, 'failed')
    // The command provider reads JSON lines itself and keeps only text levels: the pino line (level 50)
    // reaches this step without its level, and its text has no word "error".
    assert.equal(outcome.data!.newErrors, 3)
    const { readFileSync } = await import('node:fs')
    assert.deepEqual(readFileSync(path.join(before.dir, 'asked.txt'), 'utf8').trim().split('\n'), ['deployment=', 'deployment=dep-2'])
    after.cleanup()
  } finally {
    before.cleanup()
  }
})

test('providerLines takes any provider-shaped object and keeps the newest lines', async () => {
  const asked: unknown[] = []
  const provider = {
    kind: 'fake',
    logs: async (opts: { lines: number; deploymentId?: string }) => {
      asked.push({ lines: opts.lines, deploymentId: opts.deploymentId })
      return [{ message: 'a' }, { message: 'b', level: 'error' }, { message: 'c' }]
    },
  } as unknown as DeployProvider
  const ctx = { signal: AbortSignal.timeout(5000), log: () => {}, redactor: { redact: (s: string) => s } } as never
  assert.deepEqual(await providerLines(provider, 2, ctx, 'dep-9'), [{ message: 'b', level: 'error' }, { message: 'c' }])
  assert.deepEqual(asked, [{ lines: 2, deploymentId: 'dep-9' }])
})

test('the logs section is checked with its key path; no provider and no source says what to set', async () => {
  const bad = harness(logs, { environment: { logs: { lines: 'all' } } })
  const none = harness(logs, {})
  try {
    await assert.rejects(bad.run(), /environments\.staging\.logs\.lines: expected number, got a string/)
    await assert.rejects(none.run(), /no log source: the environment has no provider; set logs\.source/)
  } finally {
    bad.cleanup()
    none.cleanup()
  }
})

test('a log source that gives no line is a warning that says nothing was checked, before and after the deploy', async () => {
  const before = project([])
  try {
    writeFileSync(path.join(before.dir, 'app.log'), '')
    const sample = await before.run()
    assert.equal(sample.status, 'warning')
    assert.equal(sample.summary, 'read 0 log lines from app.log: no sample before the deploy (does the app log where this step reads?)')
    const after = harness(logs, { phase: 'verify', cwd: before.dir, options: { source: { file: 'app.log' } }, outputs: { 'logs-baseline': sample.data! } })
    try {
      const outcome = await after.run()
      assert.equal(outcome.status, 'warning')
      assert.equal(outcome.summary, 'read 0 log lines from app.log: nothing was checked (does the app log where this step reads?)')
      assert.equal(outcome.data!.lineCount, 0)
    } finally {
      after.cleanup()
    }
    const command = harness(logs, { phase: 'verify', cwd: before.dir, options: { source: { command: 'true' } } })
    try {
      const outcome = await command.run()
      assert.equal(outcome.status, 'warning')
      assert.match(outcome.summary, /^read 0 log lines from the output of `true`: nothing was checked/)
    } finally {
      command.cleanup()
    }
  } finally {
    before.cleanup()
  }
})
