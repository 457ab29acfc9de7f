import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { makeProject, processRunning, runCli, stepsOnly } from '../support/cli.js'
import { engineProject, fake, fakeWorld } from '../support/engine.js'

// The engine in-process with the fake kinds of test/support/engine.ts; the last test runs the CLI.
const report = (dir: string, runId: string, name = 'incident.md') => readFileSync(path.join(dir, '.rollout/runs', runId, name), 'utf8')

test('steps of one phase run concurrently; `after` orders them', async () => {
  const world = fakeWorld()
  const project = engineProject({
    kinds: world.kinds,
    add: [fake('a', 'preflight', 'fake-check', { ms: 300 }), fake('b', 'preflight', 'fake-check', { ms: 300 }), fake('c', 'preflight', 'fake-check', {}, { after: ['a'] })],
  })
  const { result, record: { runs, steps } } = await project.run()
  assert.equal(result.status, 'passed', result.summary)
  const byId = new Map(steps.get(runs[0]!.id)!.map((s) => [s.stepId, s]))
  const a = byId.get('a')!, b = byId.get('b')!, c = byId.get('c')!
  // Overlap: each started before the other finished.
  assert.ok(a.startedAt! < b.finishedAt! && b.startedAt! < a.finishedAt!, 'a and b did not overlap')
  assert.ok(c.startedAt! >= a.finishedAt!, 'c started before a finished')
  assert.equal(runs[0]!.status, 'passed')
})

test('a failed gate before the point of no return stops the run with nothing changed', async () => {
  const world = fakeWorld()
  const project = engineProject({
    kinds: world.kinds,
    add: [fake('check', 'preflight', 'fake-check', { fail: 'exit code 1: 3 new TypeScript errors' }), fake('mig', 'migrate', 'fake-change', { key: 'schema', value: 2 })],
  })
  const { result, record: { runs, steps } } = await project.run()
  assert.equal(result.status, 'failed')
  assert.equal(result.crossed, false)
  assert.match(result.summary, /stopped before the point of no return, nothing changed/)
  assert.deepEqual(world.journal, ['check'], 'the migration ran after a failed gate')
  assert.equal(world.state.schema, undefined)
  assert.equal(runs[0]!.status, 'failed')
  assert.equal(runs[0]!.crossedAt, null)
  assert.ok(!steps.get(runs[0]!.id)!.some((s) => s.stepId === 'mig'))
  assert.equal(result.incidentReport, path.join(project.dir, '.rollout/runs', runs[0]!.id, 'incident.md'))
  const md = report(project.dir, runs[0]!.id)
  assert.match(md, /Not needed: the run stopped before changing anything/)
  assert.match(md, /`check` — check/)
  assert.match(report(project.dir, runs[0]!.id, 'incident.html'), /<html[\s\S]*3 new TypeScript errors/)
})

test('a warning gate records the failure and the run goes on', async () => {
  const world = fakeWorld()
  const project = engineProject({ kinds: world.kinds, add: [fake('soft', 'preflight', 'fake-check', { fail: 'exit code 3' }, { gate: 'warning' }), fake('next', 'backup', 'fake-check')] })
  const { result, record: { runs, steps } } = await project.run()
  assert.equal(result.status, 'passed', result.summary)
  assert.deepEqual(world.journal, ['soft', 'next'])
  const soft = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'soft')!
  assert.equal(soft.status, 'warning')
  assert.match(soft.summary!, /exit code 3 \(warning only/)
})

test('after the point of no return a failure undoes completed steps in reverse order, then re-runs the smoke phase', async () => {
  const world = fakeWorld()
  const project = engineProject({
    kinds: world.kinds,
    add: [
      fake('mig', 'migrate', 'fake-change', { key: 'schema', value: 2 }),
      fake('dep', 'deploy', 'fake-change', { key: 'broken', value: true }),
      fake('smoke', 'smoke', 'fake-smoke', { key: 'broken', expect: null }),
    ],
  })
  const { result, events, record: { runs, steps } } = await project.run()
  assert.equal(result.status, 'rolled-back', result.summary)
  assert.deepEqual(world.journal, ['mig', 'dep', 'smoke', 'undo-dep', 'undo-mig', 'verify-smoke'])
  assert.deepEqual(world.state, { schema: null, broken: null })
  const run = runs[0]!
  assert.equal(run.status, 'rolled-back')
  assert.equal(run.crossedAt, 'mig')
  const records = steps.get(run.id)!
  assert.equal(records.find((s) => s.stepId === 'dep' && s.pass === 'run')!.undoStatus, 'rolled-back')
  assert.equal(records.find((s) => s.stepId === 'mig' && s.pass === 'run')!.undoStatus, 'rolled-back')
  assert.equal(records.find((s) => s.stepId === 'smoke' && s.pass === 'proof')!.status, 'passed', 'the rollback was not proven by the smoke phase')
  assert.deepEqual(events.filter((e) => e.type === 'undo-finished').map((e) => e.type === 'undo-finished' && [e.stepId, e.status]), [['dep', 'rolled-back'], ['mig', 'rolled-back']])
  const md = report(project.dir, run.id)
  assert.match(md, /\| `dep` \| rolled-back \|[\s\S]*\| `mig` \| rolled-back \|/)
  assert.match(md, /Verification after the rollback:\*\*\n\n- `smoke` passed/)
})

test('a step that changed the environment without an undo leaves the rollback incomplete: rollback-failed', async () => {
  const world = fakeWorld()
  const project = engineProject({ kinds: world.kinds, add: [fake('mig', 'migrate', 'fake-change', { key: 'schema', value: 2, undo: false }), fake('smoke', 'smoke', 'fake-check', { fail: 'exit code 1' })] })
  const { result, record: { runs } } = await project.run()
  assert.equal(result.status, 'rollback-failed', result.summary)
  assert.ok(!world.journal.includes('undo-mig'))
  assert.equal(runs[0]!.status, 'rollback-failed')
  const md = report(project.dir, runs[0]!.id)
  assert.match(md, /has no automatic undo: put it back by hand/)
  assert.match(md, /## To finish by hand/)
})

test('timeouts stop a step and its processes; retries run it again', async () => {
  const world = fakeWorld()
  const project = engineProject({
    kinds: world.kinds,
    add: [
      fake('hang', 'preflight', 'fake-hang', {}, { timeout: '300ms', gate: 'warning' }),
      // The built-in command kind: a timeout must also stop the processes a step started.
      { id: 'slow', phase: 'preflight', kind: 'command', timeout: '1s', gate: 'warning', options: { command: 'sleep 30 & echo $! > sleeper.pid; wait' } },
      fake('flaky', 'preflight', 'fake-check', { failAttempts: 1 }, { retries: 2 }),
    ],
  })
  const { result, record: { runs, steps } } = await project.run()
  assert.equal(result.status, 'passed', result.summary)
  const records = steps.get(runs[0]!.id)!
  assert.deepEqual(world.aborted, ['hang'], 'the timed-out step was not told to stop')
  assert.match(records.find((s) => s.stepId === 'hang')!.summary!, /timed out after 300ms/)
  assert.match(records.find((s) => s.stepId === 'slow')!.summary!, /timed out after 1\.0s/)
  const pid = Number(readFileSync(path.join(project.dir, 'sleeper.pid'), 'utf8'))
  assert.equal(processRunning(pid), false, 'the timed-out step left its process running')
  const flaky = records.find((s) => s.stepId === 'flaky')!
  assert.equal(flaky.status, 'passed')
  assert.equal(flaky.attempt, 2)
  assert.equal(world.attempts.get('flaky'), 2)
})

test('http steps check status and body; events stream from run-started to run-finished', async () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/api/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy"}')
    else res.writeHead(500).end('database unreachable')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const project = engineProject({
      add: [
        { id: 'health', phase: 'smoke', kind: 'http', options: { url: '/api/health', expectBody: '"healthy"' } },
        { id: 'orders', phase: 'smoke', kind: 'http', options: { url: '/api/orders' } },
      ],
      extra: { url: base },
    })
    const { result, events, record: { runs, steps } } = await project.run()
    assert.equal(result.status, 'failed')
    assert.equal(events[0]!.type, 'run-started')
    assert.equal(events.at(-1)!.type, 'run-finished')
    const finished = (id: string) => events.find((e) => e.type === 'step-finished' && e.stepId === id) as Extract<typeof events[number], { type: 'step-finished' }>
    assert.equal(finished('health').status, 'passed')
    assert.equal(finished('orders').status, 'failed')
    assert.match(finished('orders').summary, /HTTP 500, expected 2xx: database unreachable/)
    const evidence = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'health')!.evidence[0]!
    const saved = JSON.parse(readFileSync(path.join(project.dir, '.rollout/runs', runs[0]!.id, evidence.path), 'utf8'))
    assert.equal(saved.status, 200)
  } finally {
    server.close()
  }
})

test('commands learn their run: release, environment and run id in ROLLOUT_* variables', async () => {
  const project = engineProject({ add: [{ id: 'where', phase: 'preflight', kind: 'command', options: { command: 'echo "$ROLLOUT_RELEASE $ROLLOUT_ENVIRONMENT $ROLLOUT_RUN_ID" > seen' } }] })
  const { result } = await project.run({ release: 'v2' })
  assert.equal(result.status, 'passed', result.summary)
  assert.equal(readFileSync(path.join(project.dir, 'seen'), 'utf8').trim(), `v2 staging ${result.runId}`)
})

// End-to-end through the CLI: its exit codes, the NDJSON stream of `--json`, and the commands that read the record.
test('CLI: run exits 0 and streams NDJSON with --json; status and history read the record', async () => {
  const dir = makeProject(stepsOnly([{ id: 'one', phase: 'preflight', kind: 'command', options: { command: 'echo hello' } }]))
  const first = await runCli(['run', 'staging', '--json'], { cwd: dir })
  assert.equal(first.code, 0, first.stdout + first.stderr)
  const events = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; stepId?: string; status?: string })
  assert.equal(events[0]!.type, 'run-started')
  assert.equal(events.at(-1)!.type, 'run-finished')
  assert.equal(events.find((e) => e.type === 'step-finished' && e.stepId === 'one')!.status, 'passed')
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
