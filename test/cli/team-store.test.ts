import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { existsSync, writeFileSync } from 'node:fs'
import { finished, makeProject, runCli, spawnCli, stepsOnly, waitForFile } from '../support/cli.js'
import { createTestDatabase } from '../support/mysql.js'
import { createPostgresDatabase } from '../support/postgres.js'
import { startTcpProxy } from '../support/tcp-proxy.js'

// Two machines: two project folders (two state folders), two host names, one shared store.
const hold = stepsOnly([{ id: 'hold', phase: 'preflight', kind: 'command', options: { command: 'touch holding; while [ ! -e release ]; do sleep 0.05; done' } }], { lock: { lease: '5s' } })
const machine = (name: string, storeUrl: string) => ({ ROLLOUT_HOST_NAME: name, ROLLOUT_STORE_URL: storeUrl })

const drops: (() => Promise<void>)[] = []
after(async () => {
  for (const drop of drops) await drop().catch(() => undefined)
})

const servers = {
  postgres: async () => (await createPostgresDatabase('team')),
  mysql: async () => (await createTestDatabase('team')),
}

for (const [kind, create] of Object.entries(servers)) {
  describe(`team mode on ${kind}`, () => {
    test('two machines run the same environment: exactly one runs, the other exits 4 naming the holder\'s host; both see the history', async () => {
      const db = await create()
      drops.push(db.drop)
      const a = makeProject(hold)
      const b = makeProject(hold)
      const first = spawnCli(['run', 'staging'], { cwd: a, env: machine('machine-a', db.url) })
      await waitForFile(path.join(a, 'holding'))
      const second = await runCli(['run', 'staging'], { cwd: b, env: machine('machine-b', db.url) })
      assert.equal(second.code, 4, second.stdout + second.stderr)
      assert.match(second.stderr, /environment "staging" is locked by run \S+ \(\w+@machine-a, pid \d+\)/)
      writeFileSync(path.join(a, 'release'), '')
      assert.equal((await finished(first)).code, 0)

      // From machine B: the history holds machine A's run, and B may now run.
      const history = await runCli(['--json', 'history', 'staging'], { cwd: b, env: machine('machine-b', db.url) })
      assert.equal(history.code, 0, history.stderr)
      const runs = JSON.parse(history.stdout) as { host: string; status: string }[]
      assert.deepEqual(runs.map((r) => [r.host, r.status]), [['machine-a', 'passed']])
      writeFileSync(path.join(b, 'release'), '')
      assert.equal((await runCli(['run', 'staging'], { cwd: b, env: machine('machine-b', db.url) })).code, 0)
      const both = JSON.parse((await runCli(['--json', 'history', 'staging'], { cwd: a, env: machine('machine-a', db.url) })).stdout) as { host: string }[]
      assert.deepEqual(both.map((r) => r.host), ['machine-b', 'machine-a'])
    })

    test('kill -9 of the holder: another machine is refused while the lease lives, takes over after it, and the record says so', async () => {
      const db = await create()
      drops.push(db.drop)
      const a = makeProject(hold)
      const b = makeProject(hold)
      writeFileSync(path.join(b, 'release'), '')
      const holder = spawnCli(['run', 'staging'], { cwd: a, env: machine('machine-a', db.url) })
      await waitForFile(path.join(a, 'holding'))
      holder.kill('SIGKILL')
      await finished(holder)
      const killedAt = Date.now()
      // Its pid is gone, but on another host: only the lease, judged by the database's clock, frees it.
      const refused = await runCli(['run', 'staging'], { cwd: b, env: machine('machine-b', db.url) })
      assert.equal(refused.code, 4, refused.stdout + refused.stderr)
      assert.match(refused.stderr, /@machine-a/)
      let taken: Awaited<ReturnType<typeof runCli>> | undefined
      while (Date.now() - killedAt < 20_000) {
        const attempt = await runCli(['run', 'staging'], { cwd: b, env: machine('machine-b', db.url) })
        if (attempt.code !== 4) {
          taken = attempt
          break
        }
        await new Promise((r) => setTimeout(r, 500))
      }
      assert.ok(taken, 'the lock was never taken over')
      assert.equal(taken.code, 0, taken.stdout + taken.stderr)
      assert.ok(Date.now() - killedAt >= 3_000, 'taken over before the lease (5 s, renewed every 1.7 s) could have run out')
      assert.match(taken.stdout, /took over the lock of run \S+ \(\w+@machine-a\): its lease expired/)
      // The killed run's step (a shell the kill left behind, as a dead machine's would be) may end.
      writeFileSync(path.join(a, 'release'), '')
      // The killed run is shown as interrupted from the other machine.
      const status = await runCli(['--json', 'history', 'staging'], { cwd: b, env: machine('machine-b', db.url) })
      const runs = JSON.parse(status.stdout) as { id: string; host: string; status: string }[]
      assert.deepEqual(runs.map((r) => r.host), ['machine-b', 'machine-a'])
      const killed = await runCli(['--json', 'status', runs[1]!.id], { cwd: b, env: machine('machine-b', db.url) })
      assert.equal((JSON.parse(killed.stdout) as { interrupted: boolean }).interrupted, true)
    })

    test('a run whose lock is forced open and taken by another machine stops before its point of no return', async () => {
      const db = await create()
      drops.push(db.drop)
      const steps = stepsOnly([
        { id: 'hold', phase: 'preflight', kind: 'command', options: { command: 'touch holding; while [ ! -e release ]; do sleep 0.05; done' } },
        { id: 'migrate', phase: 'migrate', kind: 'command', changesEnvironment: true, options: { command: 'touch migrated', undo: 'true' } },
      ], { lock: { lease: '5s' } })
      const a = makeProject(steps)
      const b = makeProject(hold)
      writeFileSync(path.join(b, 'release'), '')
      const holder = spawnCli(['run', 'staging'], { cwd: a, env: machine('machine-a', db.url) })
      await waitForFile(path.join(a, 'holding'))
      // Machine B may force it: the holder's pid cannot be checked from another host.
      const forced = await runCli(['unlock', 'staging', '--force'], { cwd: b, env: machine('machine-b', db.url) })
      assert.equal(forced.code, 0, forced.stderr)
      const other = spawnCli(['run', 'staging'], { cwd: b, env: { ...machine('machine-b', db.url) } })
      const result = await finished(holder)
      assert.equal(result.code, 1, result.stdout + result.stderr)
      assert.match(result.stdout + result.stderr, /the lock on staging was lost \(another run took it over, or it was forced open\): the run stops before its point of no return/)
      assert.match(result.stdout, /CANCELLED .*nothing was changed/)
      const { existsSync } = await import('node:fs')
      assert.equal(existsSync(path.join(a, 'migrated')), false, 'the migration ran without the lock')
      assert.equal((await finished(other)).code, 0)
    })
  })
}

test('store status and migrate say what they do; import copies a local record once, and again copies nothing', async () => {
  const db = await createPostgresDatabase('team')
  drops.push(db.drop)
  const dir = makeProject(stepsOnly([{ id: 'a', phase: 'preflight', kind: 'command', options: { command: 'echo local run' } }]))
  assert.equal((await runCli(['run', 'staging'], { cwd: dir })).code, 0)
  assert.equal((await runCli(['run', 'staging'], { cwd: dir })).code, 0)

  const shared = { ROLLOUT_STORE_URL: db.url.replace('postgres://postgres@', 'postgres://postgres:hunter2secret@') }
  const fresh = await runCli(['store', 'status'], { cwd: dir, env: shared })
  assert.equal(fresh.code, 1, fresh.stdout + fresh.stderr)
  assert.match(fresh.stdout, /tables: version 0 of 1 \(run `rollout store migrate`\)/)
  assert.doesNotMatch(fresh.stdout + fresh.stderr, /hunter2secret/)
  const migrated = await runCli(['store', 'migrate'], { cwd: dir, env: shared })
  assert.equal(migrated.code, 0, migrated.stderr)
  assert.match(migrated.stdout, /applied: version 1\ntables: version 1 of 1/)
  assert.match((await runCli(['store', 'migrate'], { cwd: dir, env: shared })).stdout, /applied: nothing \(already up to date\)/)

  const imported = await runCli(['store', 'import'], { cwd: dir, env: shared })
  assert.equal(imported.code, 0, imported.stderr)
  assert.match(imported.stdout, /imported 2 run\(s\) from .*rollout\.db into postgres:\/\/postgres:\*\*\*@.* \(tables rollout_\*\); 0 already there/)
  assert.doesNotMatch(imported.stdout + imported.stderr, /hunter2secret/)
  const again = await runCli(['store', 'import'], { cwd: dir, env: shared })
  assert.match(again.stdout, /imported 0 run\(s\) .*; 2 already there/)

  // The shared record now answers status with the local run's steps and output.
  const status = await runCli(['--json', 'status'], { cwd: dir, env: shared })
  assert.equal(status.code, 0, status.stderr)
  const shown = JSON.parse(status.stdout) as { status: string; steps: { stepId: string; output: string }[] }
  assert.equal(shown.status, 'passed')
  assert.match(shown.steps.find((s) => s.stepId === 'a')!.output, /local run/)
})

test('a run whose store is unreachable for longer than its lease stops before its point of no return, and records so once the store is back', async () => {
  const db = await createPostgresDatabase('teamcut')
  drops.push(db.drop)
  const server = new URL(db.url)
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) })
  after(() => proxy.close())
  const viaProxy = new URL(db.url)
  viaProxy.port = String(proxy.port)
  const steps = stepsOnly([
    { id: 'hold', phase: 'preflight', kind: 'command', options: { command: 'touch holding; while [ ! -e release ]; do sleep 0.05; done' } },
    { id: 'migrate', phase: 'migrate', kind: 'command', changesEnvironment: true, options: { command: 'touch migrated', undo: 'true' } },
  ], { lock: { lease: '5s' } })
  const dir = makeProject(steps)
  const run = spawnCli(['run', 'staging'], { cwd: dir, env: machine('machine-a', viaProxy.toString()) })
  await waitForFile(path.join(dir, 'holding'))
  await proxy.cut()
  // Renewals fail from now on; the lease (5 s, the shortest allowed) runs out unrenewed. The store
  // comes back later, within the time a write is retried (15 s), so the run's end can be recorded.
  await new Promise((resolve) => setTimeout(resolve, 10_000))
  await proxy.restore()
  const result = await finished(run)
  assert.equal(result.code, 1, result.stdout + result.stderr)
  assert.match(result.stdout + result.stderr, /the lock on staging was lost \(its lease could not be renewed for \d+ s: [^)]*\): the run stops before its point of no return/)
  assert.equal(existsSync(path.join(dir, 'migrated')), false, 'the migration ran without a lease')
  const status = await runCli(['--json', 'status'], { cwd: dir, env: machine('machine-a', db.url) })
  assert.equal((JSON.parse(status.stdout) as { status: string }).status, 'cancelled')
})
