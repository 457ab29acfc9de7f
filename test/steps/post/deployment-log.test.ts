import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import deploymentLog, { LOG_HEADER } from '../../../src/steps/post/deployment-log.js'
import { harness } from '../announce/context.js'

test('deployment log: created with a header, then appended to; both entries stay', async (t) => {
  const first = harness(deploymentLog, {
    runId: 'r-first',
    environment: { release: 'v1.4.0' },
    contacts: { deployer: 'Alice Martin' },
    runSteps: [
      { stepId: 'ci-status', phase: 'preflight', title: 'CI', status: 'passed', startedAt: new Date(Date.now() - 12 * 60_000).toISOString(), durationMs: 5000 },
      { stepId: 'backup-freshness', phase: 'backup', title: 'fresh', status: 'warning', startedAt: new Date(Date.now() - 11 * 60_000).toISOString(), durationMs: 100 },
    ],
  })
  t.after(first.cleanup)
  const outcome = await first.run()
  assert.equal(outcome.status, 'passed')
  assert.equal(outcome.summary, 'created DEPLOYMENTS.md')
  const file = path.join(first.dir, 'DEPLOYMENTS.md')

  // A second run in the same project (same folder, another run id) appends.
  const second = harness(deploymentLog, { runId: 'r-second', environment: { release: 'v1.5.0\nsneaky: line' }, options: { file: 'DEPLOYMENTS.md' } })
  Object.assign(second.ctx, { cwd: first.dir })
  t.after(second.cleanup)
  assert.equal((await second.run()).summary, 'updated DEPLOYMENTS.md')

  const text = readFileSync(file, 'utf8')
  assert.ok(text.startsWith(LOG_HEADER))
  assert.equal(text.match(/^# Deployment log$/gm)?.length, 1)
  const entries = text.split(/^## /m).slice(1)
  assert.equal(entries.length, 2)
  assert.match(entries[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC — staging\n/)
  assert.match(entries[0]!, /- \*\*Environment:\*\* staging \(staging\.terp-app\.local\)/)
  assert.match(entries[0]!, /- \*\*Release:\*\* `v1\.4\.0`/)
  assert.match(entries[0]!, /- \*\*Run:\*\* `r-first`/)
  assert.match(entries[0]!, /- \*\*Result:\*\* passed with 1 warning \(backup-freshness\)/)
  assert.match(entries[0]!, /- \*\*Duration:\*\* 12m( \d+s)?\n/)
  assert.match(entries[0]!, /- \*\*By:\*\* Alice Martin/)
  assert.match(entries[1]!, /- \*\*Run:\*\* `r-second`/)
  // A value with a line break stays on its line.
  assert.match(entries[1]!, /- \*\*Release:\*\* `v1\.5\.0 sneaky: line`/)
  assert.match(entries[1]!, /- \*\*Result:\*\* passed\n/)
  assert.match(entries[1]!, /- \*\*Duration:\*\* unknown/)
  assert.equal(readFileSync(path.join(first.ctx.evidenceDir, 'entry.md'), 'utf8').trimEnd(), `## ${entries[0]}`.trimEnd())
})

test('deployment log: an existing log keeps its own content; a file in a sub-folder is created', async (t) => {
  const h = harness(deploymentLog, { options: { file: 'docs/ops/deployments.md', result: 'passed (hotfix)' } })
  t.after(h.cleanup)
  assert.equal((await h.run()).summary, 'created docs/ops/deployments.md')
  const file = path.join(h.dir, 'docs/ops/deployments.md')
  writeFileSync(file, '# Our log\n\nHand-written notes.\n')
  await h.run()
  const text = readFileSync(file, 'utf8')
  assert.ok(text.startsWith('# Our log\n\nHand-written notes.\n\n## '))
  assert.match(text, /- \*\*Result:\*\* passed \(hotfix\)/)
})
