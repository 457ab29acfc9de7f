import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { makeProject, processRunning, runCli, stepsOnly } from '../support/cli.js'
import { readRecord } from '../support/record.js'

const cmd = (id: string, phase: string, command: string, extra: Record<string, unknown> = {}) => ({ id, phase, kind: 'command', ...extra, options: { command, ...((extra.options as object) ?? {}) } })

test('steps of one phase run concurrently; `after` orders them', async () => {
  const dir = makeProject(stepsOnly([
    cmd('a', 'preflight', 'sleep 1'),
    cmd('b', 'preflight', 'sleep 1'),
    cmd('c', 'preflight', 'true', { after: ['a'] }),
  ]))
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const { runs, steps } = await readRecord(dir)
  const byId = new Map(steps.get(runs[0]!.id)!.map((s) => [s.stepId, s]))
  const a = byId.get('a')!, b = byId.get('b')!, c = byId.get('c')!
  // Overlap: each started before the other finished.
  assert.ok(a.startedAt! < b.finishedAt! && b.startedAt! < a.finishedAt!, 'a and b did not overlap')
  assert.ok(c.startedAt! >= a.finishedAt!, 'c started before a finished')
  assert.equal(runs[0]!.status, 'passed')
})

test('a failed gate before the point of no return stops the run with nothing changed', async () => {
  const dir = makeProject(stepsOnly([
    cmd('check', 'preflight', 'echo "3 new TypeScript errors" >&2; exit 1'),
    cmd('mig', 'migrate', 'touch migrated', { changesEnvironment: true, options: { undo: 'rm migrated' } }),
  ]))
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 1)
  assert.match(result.stdout, /✗ check .*exit code 1: 3 new TypeScript errors/)
  assert.match(result.stdout, /stopped before the point of no return, nothing changed/)
  assert.ok(!existsSync(path.join(dir, 'migrated')), 'the migration ran after a failed gate')
  const { runs, steps } = await readRecord(dir)
  assert.equal(runs[0]!.status, 'failed')
  assert.equal(runs[0]!.crossedAt, null)
  assert.ok(!steps.get(runs[0]!.id)!.some((s) => s.stepId === 'mig'))
  const report = readFileSync(path.join(dir, '.rollout/runs', runs[0]!.id, 'incident.md'), 'utf8')
  assert.match(report, /Not needed: the run stopped before changing anything/)
  assert.match(report, /`check` — check/)
  const html = readFileSync(path.join(dir, '.rollout/runs', runs[0]!.id, 'incident.html'), 'utf8')
  assert.match(html, /<html[\s\S]*3 new TypeScript errors/)
})

test('a warning gate records the failure and the run goes on', async () => {
  const dir = makeProject(stepsOnly([cmd('soft', 'preflight', 'exit 3', { gate: 'warning' }), cmd('next', 'backup', 'touch next-ran')]))
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 0, result.stdout)
  assert.ok(existsSync(path.join(dir, 'next-ran')))
  const { runs, steps } = await readRecord(dir)
  const soft = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'soft')!
  assert.equal(soft.status, 'warning')
  assert.match(soft.summary!, /exit code 3 \(warning only/)
})

test('after the point of no return a failure undoes completed steps in reverse order, then re-runs the smoke phase', async () => {
  const dir = makeProject(stepsOnly([
    cmd('mig', 'migrate', 'echo mig >> journal', { changesEnvironment: true, options: { undo: 'echo undo-mig >> journal' } }),
    cmd('dep', 'deploy', 'echo dep >> journal; touch broken', { changesEnvironment: true, options: { undo: 'echo undo-dep >> journal; rm broken' } }),
    cmd('smoke', 'smoke', 'test ! -e broken'),
  ]))
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 1, result.stdout + result.stderr)
  assert.deepEqual(readFileSync(path.join(dir, 'journal'), 'utf8').trim().split('\n'), ['mig', 'dep', 'undo-dep', 'undo-mig'])
  const { runs, steps } = await readRecord(dir)
  const run = runs[0]!
  assert.equal(run.status, 'rolled-back')
  assert.equal(run.crossedAt, 'mig')
  const records = steps.get(run.id)!
  assert.equal(records.find((s) => s.stepId === 'dep' && s.pass === 'run')!.undoStatus, 'rolled-back')
  assert.equal(records.find((s) => s.stepId === 'mig' && s.pass === 'run')!.undoStatus, 'rolled-back')
  assert.equal(records.find((s) => s.stepId === 'smoke' && s.pass === 'proof')!.status, 'passed', 'the rollback was not proven by the smoke phase')
  const report = readFileSync(path.join(dir, '.rollout/runs', run.id, 'incident.md'), 'utf8')
  assert.match(report, /\| `dep` \| rolled-back \|[\s\S]*\| `mig` \| rolled-back \|/)
  assert.match(report, /Verification after the rollback:\*\*\n\n- `smoke` passed/)
})

test('a step that changed the environment without an undo leaves the rollback incomplete: exit 3', async () => {
  const dir = makeProject(stepsOnly([
    cmd('mig', 'migrate', 'true', { changesEnvironment: true }),
    cmd('smoke', 'smoke', 'exit 1'),
  ]))
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 3, result.stdout)
  assert.match(result.stdout, /Rollback INCOMPLETE/)
  const { runs } = await readRecord(dir)
  assert.equal(runs[0]!.status, 'rollback-failed')
  const report = readFileSync(path.join(dir, '.rollout/runs', runs[0]!.id, 'incident.md'), 'utf8')
  assert.match(report, /has no automatic undo: put it back by hand/)
  assert.match(report, /## To finish by hand/)
})

test('timeouts stop a step and its processes; retries run it again', async () => {
  const dir = makeProject(stepsOnly([
    cmd('slow', 'preflight', 'sleep 30 & echo $! > sleeper.pid; wait', { timeout: '1s', gate: 'warning' }),
    cmd('flaky', 'preflight', 'n=$(cat tries 2>/dev/null || echo 0); echo $((n+1)) > tries; test $n -ge 1', { retries: 2 }),
  ]))
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 0, result.stdout)
  const { runs, steps } = await readRecord(dir)
  const records = steps.get(runs[0]!.id)!
  const slow = records.find((s) => s.stepId === 'slow')!
  assert.match(slow.summary!, /timed out after 1\.0s/)
  const pid = Number(readFileSync(path.join(dir, 'sleeper.pid'), 'utf8'))
  assert.equal(processRunning(pid), false, 'the timed-out step left its process running')
  const flaky = records.find((s) => s.stepId === 'flaky')!
  assert.equal(flaky.status, 'passed')
  assert.equal(flaky.attempt, 2)
  assert.equal(readFileSync(path.join(dir, 'tries'), 'utf8').trim(), '2')
})

test('http steps check status and body; --json streams NDJSON events', async () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/api/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy"}')
    else res.writeHead(500).end('database unreachable')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const dir = makeProject(stepsOnly([
      { id: 'health', phase: 'smoke', kind: 'http', options: { url: '/api/health', expectBody: '"healthy"' } },
      { id: 'orders', phase: 'smoke', kind: 'http', options: { url: '/api/orders' } },
    ], { url: base }))
    const result = await runCli(['run', 'staging', '--json'], { cwd: dir })
    assert.equal(result.code, 1)
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; stepId?: string; status?: string; summary?: string })
    assert.equal(events[0]!.type, 'run-started')
    assert.equal(events.at(-1)!.type, 'run-finished')
    const finished = (id: string) => events.find((e) => e.type === 'step-finished' && e.stepId === id)!
    assert.equal(finished('health').status, 'passed')
    assert.equal(finished('orders').status, 'failed')
    assert.match(finished('orders').summary!, /HTTP 500, expected 2xx: database unreachable/)
    const { runs, steps } = await readRecord(dir)
    const evidence = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'health')!.evidence[0]!
    const saved = JSON.parse(readFileSync(path.join(dir, '.rollout/runs', runs[0]!.id, evidence.path), 'utf8'))
    assert.equal(saved.status, 200)
  } finally {
    server.close()
  }
})

test('status and history read the record', async () => {
  const dir = makeProject(stepsOnly([cmd('one', 'preflight', 'echo hello')]))
  await runCli(['run', 'staging'], { cwd: dir })
  await runCli(['run', 'staging'], { cwd: dir })
  const history = await runCli(['history', 'staging', '--json'], { cwd: dir })
  const runs = JSON.parse(history.stdout) as { id: string; status: string; startedAt: string }[]
  assert.equal(runs.length, 2)
  assert.ok(runs[0]!.startedAt > runs[1]!.startedAt, 'newest first')
  const status = await runCli(['status', runs[1]!.id.slice(0, 18)], { cwd: dir })
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, new RegExp(`Run ${runs[1]!.id} → staging: passed`))
  assert.match(status.stdout, /✓ one\s+passed/)
  const missing = await runCli(['status', 'nope'], { cwd: dir })
  assert.equal(missing.code, 2)
})

test('commands learn their run: release, environment and run id in ROLLOUT_* variables', async () => {
  const dir = makeProject(stepsOnly([cmd('where', 'preflight', 'echo "$ROLLOUT_RELEASE $ROLLOUT_ENVIRONMENT $ROLLOUT_RUN_ID" > seen')]))
  const result = await runCli(['run', 'staging', '--release', 'v2'], { cwd: dir })
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const { runs } = await readRecord(dir)
  assert.equal(readFileSync(path.join(dir, 'seen'), 'utf8').trim(), `v2 staging ${runs[0]!.id}`)
})
