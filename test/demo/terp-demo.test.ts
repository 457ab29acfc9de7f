import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { runCli, tempDir, processRunning } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { testServerUrl } from '../support/mysql.js'
import { readDatabaseState, servedRelease } from '../../src/demo/terp/state.js'
import { SMOKE_ORDER_TABLES } from '../../src/demo/terp/verdict.js'
import { localSiteStatus } from '../../src/adapters/providers/local.js'
import { readZip } from '../support/zip.js'

test('rollout demo: v1 → v2 passes; v2 → v3-broken is rolled back, app and database, and proven', { timeout: 600_000 }, async () => {
  const cwd = tempDir('rollout-demo-')
  const dir = path.join(cwd, '.rollout', 'demo')
  const env = { ROLLOUT_MYSQL_URL: testServerUrl() }
  const result = await runCli(['demo', '--keep', '--monitor', '5s'], { cwd, env })
  let dashboardPid: number | undefined
  const site = await localSiteStatus(path.join(dir, 'site'))
  try {
    assert.ok(site.serving && site.supervisorPid, 'with --keep the site is left serving')
    assert.equal(result.code, 0, result.stdout.slice(-4000) + result.stderr)
    assert.match(result.stdout, /✓ run 1 \(v1 → v2\) passed/)
    assert.match(result.stdout, /✓ run 2 \(v2 → v3-broken\) rolled-back/)

    // The record, read on its own: which steps failed, which were undone.
    const { runs, steps } = await readRecord(dir)
    const [second, first] = runs
    assert.equal(first!.status, 'passed')
    assert.equal(second!.status, 'rolled-back')
    const secondSteps = steps.get(second!.id)!
    // Both releases' migrations were rehearsed on a copy of the backup before they ran for real.
    for (const run of [first!, second!]) {
      const rehearsal = steps.get(run.id)!.find((s) => s.pass === 'run' && s.stepId === 'rehearse')
      assert.equal(rehearsal?.status, 'passed', `the rehearsal of run ${run.id}: ${rehearsal?.summary}`)
      assert.match(rehearsal!.summary!, /^rehearsed on a schema-only copy of backup \S+ in [\d.]+ s: (would .+|no schema change)$/)
    }
    const failed = secondSteps.filter((s) => s.pass === 'run' && s.status === 'failed').map((s) => s.stepId)
    assert.ok(failed.includes('browser'), `failed steps of run 2: ${failed.join(', ')}`)
    const undone = secondSteps.filter((s) => s.pass === 'run' && s.undoStatus).map((s) => `${s.stepId}:${s.undoStatus}`)
    assert.ok(undone.includes('deploy:rolled-back') && undone.includes('migrate:rolled-back'), `undo of run 2: ${undone.join(', ')}`)
    const verified = secondSteps.filter((s) => s.pass === 'proof' && s.stepId === 'browser')
    assert.equal(verified[0]?.status, 'passed', 'the smoke test did not prove the rollback')

    // v2 serves again, through the sandbox's own name and CA.
    const sandboxUrl = /still running at (https:\/\/\S+)\./.exec(result.stdout)?.[1]
    assert.ok(sandboxUrl, 'the demo did not say where the sandbox runs')
    assert.equal(await servedRelease(sandboxUrl, path.join(dir, 'tls', 'ca', 'ca.pem'), AbortSignal.timeout(10_000)), 'v2')

    // The database is what run 2's backup (taken before its migration) recorded, table by table,
    // but for the one order the smoke test that proved the rollback created on the restored v2.
    const backupData = secondSteps.find((s) => s.stepId === 'backup' && s.pass === 'run')!.data as { manifestPath: string }
    const manifest = JSON.parse(readFileSync(backupData.manifestPath, 'utf8')) as { schemaFingerprint: string; tables: { name: string; rows: number; checksum: number | null }[] }
    const databaseUrl = /^DATABASE_URL=(.+)$/m.exec(readFileSync(path.join(dir, '.env'), 'utf8'))![1]!
    const now = await readDatabaseState(databaseUrl)
    assert.deepEqual(Object.keys(now.tables).sort(), manifest.tables.map((t) => t.name).sort())
    for (const t of manifest.tables) {
      if (SMOKE_ORDER_TABLES.includes(t.name)) continue
      assert.equal(now.tables[t.name], t.checksum, `table ${t.name} differs from the backup`)
    }
    const ordersBefore = manifest.tables.find((t) => t.name === 'orders')!.rows
    assert.equal(now.rows.orders, ordersBefore + 1, 'orders: the backup\'s rows plus the one the proving smoke test created')
    assert.equal(now.schemaHash, manifest.schemaFingerprint, 'the schema is not back as the backup recorded it')

    // The incident report names the failed smoke step; the password never shows.
    const incident = readFileSync(path.join(dir, '.rollout', 'runs', second!.id, 'incident.md'), 'utf8')
    assert.match(incident, /`browser`/)
    const password = new URL(databaseUrl).password
    assert.ok(!result.stdout.includes(password) && !incident.includes(password), 'the database password leaked')
    // The team was told over real HTTP and SMTP: the sandbox's webhook and mail stand-ins kept each message.
    const inbox = readdirSync(path.join(dir, 'inbox')).sort()
    const rollbackHook = inbox.find((f) => f.endsWith('webhook-rollback.json'))
    assert.ok(rollbackHook, `no rollback message in the inbox: ${inbox.join(', ')}`)
    const hook = JSON.parse(readFileSync(path.join(dir, 'inbox', rollbackHook), 'utf8')) as { runId: string }
    assert.equal(hook.runId, second!.id)
    assert.ok(readFileSync(path.join(dir, 'inbox', rollbackHook), 'utf8').includes('incident.md'), 'the rollback message does not point at the incident report')
    assert.equal(inbox.filter((f) => f.endsWith('.eml')).length, inbox.filter((f) => f.includes('webhook-')).length, 'every message went by mail too')
    const screenshots = readdirSync(path.join(dir, '.rollout', 'runs', second!.id, 'browser'), { recursive: true }).filter((f) => String(f).endsWith('.png'))
    assert.ok(screenshots.length > 0, 'no screenshot of the failed flow')

    // The dashboard the demo points at shows both runs, the failing page inline, and no secret:
    // every page, answer and evidence file (trace archives opened) is scanned.
    // --keep leaves the dashboard running too, at the address it prints.
    const dashboardUrl = /^Dashboard: +(http:\/\/127\.0\.0\.1:\d+\/) \(both runs/m.exec(result.stdout)?.[1]
    assert.ok(dashboardUrl, 'the demo did not print the dashboard\'s address')
    dashboardPid = (JSON.parse(readFileSync(path.join(dir, 'dashboard.json'), 'utf8')) as { pid: number }).pid
    const dotEnv = readFileSync(path.join(dir, '.env'), 'utf8')
    const secrets = [password, ...['SESSION_SECRET', 'WEBHOOK_SECRET'].map((k) => new RegExp(`^${k}=(.+)$`, 'm').exec(dotEnv)![1]!)]
    {
      const get = async (p: string) => Buffer.from(await (await fetch(new URL(p, dashboardUrl))).arrayBuffer())
      const listed = JSON.parse((await get('/api/runs?environment=staging')).toString()) as { id: string }[]
      assert.deepEqual(listed.map((r) => r.id), [second!.id, first!.id])
      const runPage = (await get(`/runs/${second!.id}`)).toString()
      assert.match(runPage, /<img src="\/api\/runs\/[^"]+\.png"/, 'the failing page is not shown on the run page')
      const bodies: [string, Buffer][] = []
      for (const p of ['/', '/backups', '/runs?environment=staging', '/api/environments', '/api/backups/staging']) bodies.push([p, await get(p)])
      for (const run of [first!, second!]) {
        for (const p of [`/runs/${run.id}`, `/api/runs/${run.id}`, `/api/runs/${run.id}/events`]) bodies.push([p, await get(p)])
        for (const s of steps.get(run.id)!) {
          for (const e of s.evidence) {
            const body = await get(`/api/runs/${run.id}/files/${e.path}`)
            bodies.push([e.path, body])
            if (e.path.endsWith('.zip')) for (const entry of readZip(body)) bodies.push([`${e.path}:${entry.name}`, Buffer.from(entry.data)])
          }
        }
      }
      assert.ok(bodies.some(([p]) => p.endsWith('.zip')), 'no trace archive was scanned')
      for (const [p, body] of bodies) {
        const text = body.toString('latin1')
        for (const secret of secrets) assert.equal(text.includes(secret), false, `${p} holds a secret`)
        assert.doesNotMatch(text, /terp_(session|portal)=[\w-]{16,}\.[\w-]{16,}/, `${p} holds a session cookie`)
      }
    }
  } finally {
    const stopped = await runCli(['demo', '--stop'], { cwd, env })
    assert.equal(stopped.code, 0, stopped.stderr)
  }
  for (const pid of [site.supervisorPid, site.current?.pid, dashboardPid]) if (pid) assert.ok(!processRunning(pid), `process ${pid} of the demo still runs after --stop`)
})
