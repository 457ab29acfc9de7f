import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { engineProject, fake, fakeWorld } from '../support/engine.js'
import { defineStepKind } from '../../src/engine/step-kind.js'
import { createTestDatabase } from '../support/mysql.js'
import { closedPort, startReceiver } from '../adapters/notifiers/receiver.js'
import { decodeMail, startSmtp } from '../adapters/notifiers/smtp.js'
import { verifySignature } from '../../src/adapters/notifiers/webhook.js'
import { readFingerprintAt } from '../../src/steps/migrate/database.js'

// In-process through src/app: the built-in backup, migrate, deploy and notifier steps against a real
// database, a webhook receiver and an SMTP server; the smoke test is a step kind of the test's own.
const APPLY = fileURLToPath(new URL('../steps/migrate/fixtures/apply-sql.mjs', import.meta.url))
const CONTACTS = { onCall: 'ops@terp.example', database: 'db@terp.example', escalation: 'cto@terp.example' }

/** The team's own deploy commands: the live deployment id is kept in a file `live`, one per release. */
const provider = (rollback: string) => ({
  kind: 'command', current: 'cat live', deploy: 'echo "d-$ROLLOUT_RELEASE" > live; echo "d-$ROLLOUT_RELEASE"', rollback,
})
// The smoke test passes only on the earlier release: it fails after the deploy, and passes once rolled back.
const liveSmoke = defineStepKind({
  kind: 'live-smoke',
  description: 'passes while deployment d-v1 is live',
  async run(ctx) {
    const live = readFileSync(path.join(ctx.cwd, 'live'), 'utf8').trim()
    return live === 'd-v1' ? { status: 'passed', summary: `${live} is live` } : { status: 'failed', summary: `${live} is live, not d-v1` }
  },
})
const SMOKE = { id: 'smoke', phase: 'smoke', kind: 'live-smoke' }

test('the full rollback path: backup, migrate, deploy, a failing smoke test → app and database back, proven; the webhook and the mail say so with the incident report', async (t) => {
  const db = await createTestDatabase('rbpath')
  t.after(db.drop)
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
  await conn.query("CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL DEFAULT 'new'); INSERT INTO orders VALUES (1, 'new'), (2, 'new'); CREATE TABLE clients (id INT PRIMARY KEY); INSERT INTO clients VALUES (7)")
  await conn.end()
  const before = await readFingerprintAt(db.url)
  const hook = await startReceiver()
  const smtp = await startSmtp()
  t.after(() => Promise.all([hook.close(), smtp.close()]))

  const config = {
    contacts: CONTACTS,
    environments: {
      staging: {
        url: 'http://127.0.0.1:9', defaults: false, release: 'v2',
        database: { url: db.url },
        backups: { dir: 'backups' },
        migrate: { command: `node ${APPLY} 0002.sql` },
        provider: provider('echo {previousDeploymentId} > live'),
        notify: [
          { kind: 'webhook', url: hook.url('/deploys'), secret: 'whsec-rbpath-1' },
          { kind: 'email', host: '127.0.0.1', port: smtp.port, starttls: 'off', user: 'rollout', password: 'smtp-pass-77', from: 'rollout@terp.example', to: 'team@terp.example' },
        ],
        add: [
          { id: 'backup', phase: 'backup', kind: 'backup' },
          { id: 'migrate', phase: 'migrate', kind: 'migrate' },
          { id: 'deploy', phase: 'deploy', kind: 'deploy' },
          SMOKE,
        ],
      },
    },
  }
  const project = engineProject({
    config, kinds: [liveSmoke],
    files: { '0002.sql': "ALTER TABLE orders ADD COLUMN priority INT NULL;\nUPDATE orders SET status = 'migrated';\n", live: 'd-v1\n' },
  })
  const { result, events, record: { runs } } = await project.run()
  assert.equal(result.status, 'rolled-back', result.summary)
  assert.equal(readFileSync(path.join(project.dir, 'live'), 'utf8').trim(), 'd-v1', 'the app was not rolled back')
  assert.equal((await readFingerprintAt(db.url)).hash, before.hash, 'the database schema is not back')

  const run = runs[0]!
  assert.equal(run.status, 'rolled-back')
  const incident = path.join(project.dir, '.rollout/runs', run.id, 'incident.md')
  assert.equal(result.incidentReport, incident)
  const report = readFileSync(incident, 'utf8')
  assert.match(report, /\*\*As before the run:\*\* every change was undone and the smoke tests pass against what was put back\./)
  assert.match(report, /- \*\*Restore point:\*\* backup `backup_\d{8}_\d{6}\w*`, its snapshot taken at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(step `backup`\)/)
  assert.match(report, /- \*\*Tables that differed from the backup:\*\* `orders` \(replayed\)\n/)
  assert.match(report, /- \*\*Unchanged:\*\* 1 other table equalled the backup/)
  assert.match(report, /- On-call engineer: ops@terp\.example/)

  // The rollback message reached both channels, naming the incident report.
  const delivered = hook.received.map((r) => JSON.parse(r.body) as { event: string; fields: { label: string; value: string }[] })
  assert.deepEqual(delivered.map((m) => m.event), ['rollback'])
  assert.ok(verifySignature(hook.received[0]!.body, hook.received[0]!.headers['x-rollout-signature'] as string, 'whsec-rbpath-1'))
  assert.ok(hook.received[0]!.body.includes(incident), 'the webhook message does not name the incident report')
  assert.equal(smtp.mails.length, 1)
  const mail = decodeMail(smtp.mails[0]!.raw)
  assert.match(mail, /Subject: \[rollout\] .*Roll/i)
  assert.ok(mail.includes(incident), 'the mail does not name the incident report')
  assert.ok(!JSON.stringify(events).includes('smtp-pass-77') && !report.includes('whsec-rbpath-1'), 'a secret leaked')
})

test('a rollback whose provider step fails: rollback-failed, a report that says what is still changed and which commands finish the job; those commands do', async () => {
  const config = (rollback: string) => ({
    contacts: CONTACTS,
    environments: { staging: { url: 'http://127.0.0.1:9', defaults: false, release: 'v2', provider: provider(rollback), add: [{ id: 'deploy', phase: 'deploy', kind: 'deploy' }, SMOKE] } },
  })
  const project = engineProject({ config: config('echo "provider: service unavailable" >&2; exit 1'), kinds: [liveSmoke], files: { live: 'd-v1\n' } })
  const { result, events, record: { runs } } = await project.run()
  assert.equal(result.status, 'rollback-failed', result.summary)
  assert.ok(events.some((e) => e.type === 'rollback-finished' && e.status === 'rollback-failed'))
  const run = runs[0]!
  assert.equal(run.status, 'rollback-failed')
  const report = readFileSync(path.join(project.dir, '.rollout/runs', run.id, 'incident.md'), 'utf8')
  assert.match(report, /\*\*Partly changed:\*\* 1 of 1 change is still in place\./)
  assert.match(report, /- `deploy` \(deploy\): \*\*NOT put back\*\*: the rollback command failed \(exit 1\): provider: service unavailable/)
  assert.match(report, /- By hand: make deployment `d-v1`, live before the run, live again through the provider \(the run deployed `d-v2`\)\./)
  assert.match(report, new RegExp(`- Then let the tool finish and prove it: \`rollout rollback ${run.id}\``))
  assert.match(report, /- Escalation: cto@terp\.example/)

  // Once the provider answers again, the rollback the report names finishes the job and proves it.
  const finished = await project.rollback(run.id, { config: config('echo {previousDeploymentId} > live') })
  assert.equal(finished.result.status, 'rolled-back', finished.result.summary)
  assert.ok(finished.events.some((e) => e.type === 'rollback-finished' && e.status === 'rolled-back'))
  assert.equal(readFileSync(path.join(project.dir, 'live'), 'utf8').trim(), 'd-v1')
})

test('a notifier that is down never fails the rollout: the run passes, the warning is shown and recorded', async () => {
  const port = await closedPort()
  const world = fakeWorld()
  const project = engineProject({
    kinds: world.kinds,
    add: [
      { id: 'announce', phase: 'announce', kind: 'announce' },
      fake('work', 'deploy', 'fake-check'),
      { id: 'notify', phase: 'post', kind: 'notify', gate: 'warning' },
    ],
    extra: { notify: [{ kind: 'slack', webhook: `http://127.0.0.1:${port}/services/T0/B0/x`, maxRetries: 0 }] },
  })
  const { result, events, record: { runs, steps } } = await project.run()
  assert.equal(result.status, 'passed', result.summary)
  const finished = (id: string) => events.find((e) => e.type === 'step-finished' && e.stepId === id) as Extract<typeof events[number], { type: 'step-finished' }>
  assert.equal(finished('announce').status, 'warning')
  assert.match(finished('announce').summary, /not delivered: slack \(notify\[0\]\) — slack: .*ECONNREFUSED/)
  assert.match(finished('notify').summary, /not delivered: slack \(notify\[0\]\)/)
  assert.equal(runs[0]!.status, 'passed')
  const byId = new Map(steps.get(runs[0]!.id)!.map((s) => [s.stepId, s]))
  for (const id of ['announce', 'notify']) {
    assert.equal(byId.get(id)!.status, 'warning', id)
    assert.deepEqual(byId.get(id)!.data.channels, [{ channel: 'console', status: 'sent' }, { channel: 'slack (notify[0])', status: 'failed' }])
  }
  assert.ok(!JSON.stringify(events).includes('/services/T0/B0/x') && !JSON.stringify(steps).includes('/services/T0/B0/x'), 'the webhook URL, a secret, was shown')
})
