import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli, stepsOnly, tempDir } from '../support/cli.js'
import { readRecord } from '../support/record.js'

const cmd = (id: string, phase: string, command: string, extra: Record<string, unknown> = {}) => ({ id, phase, kind: 'command', title: `The ${id} step`, ...extra, options: { command, ...((extra.options as object) ?? {}) } })

const TOKEN = 'tok_gha_5e4d3c2b1a'

function actionsEnv(dir: string) {
  const summary = path.join(tempDir('gha-summary-'), 'summary.md')
  return {
    summary,
    env: {
      GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '4242', GITHUB_WORKSPACE: dir, API_TOKEN: TOKEN,
    },
  }
}

test('under GitHub Actions a rolled-back run writes a job summary from the record, annotations and one output group per step', async () => {
  const dir = makeProject(stepsOnly([
    cmd('check', 'preflight', 'echo "checked: 3 files"'),
    cmd('mig', 'migrate', 'echo migrating; touch migrated', { changesEnvironment: true, options: { undo: 'echo undoing; rm migrated' } }),
    // The secret reaches the step, which prints it in its output and in the error that becomes the annotation.
    cmd('smoke', 'smoke', 'echo "using token $API_TOKEN"; test ! -e migrated || { echo "smoke failed with $API_TOKEN, 50% done" >&2; exit 1; }', {
      options: { env: { API_TOKEN: TOKEN } },
    }),
  ]))
  const { summary, env } = actionsEnv(dir)
  const result = await runCli(['run', 'staging', '--release', 'abc123'], { cwd: dir, env })
  assert.equal(result.code, 1, result.stdout + result.stderr)
  assert.ok(!existsSync(path.join(dir, 'migrated')), 'not rolled back')
  const { runs } = await readRecord(dir)
  const run = runs[0]!
  assert.equal(run.status, 'rolled-back')

  // stdout: plain lines, each step's output in a group, the failed gate as an error annotation.
  const out = result.stdout
  // A command step logs the command it runs ("$ …"), then its output.
  assert.match(out, /::group::The check step \(2 lines of output\)\n\$ echo "checked: 3 files"\nchecked: 3 files\n::endgroup::\n {2}✓ The check step/)
  assert.match(out, /::group::The mig step \(2 lines of output\)\n\$ [^\n]*\nmigrating\n::endgroup::/)
  assert.match(out, /::group::undo The mig step \(2 lines of output\)\n\$ [^\n]*\nundoing\n::endgroup::/)
  assert.match(out, /::group::\[rollback check\] The smoke step \(2 lines of output\)\n\$ [^\n]*\nusing token \[redacted\]\n::endgroup::/)
  assert.match(out, /^::error title=The smoke step::exit code 1: smoke failed with \[redacted\], 50%25 done$/m)
  assert.match(out, /ROLLED-BACK after/)
  assert.equal((out.match(/^::error/gm) ?? []).length, 1, out)

  // The summary file: what the record says, rollback and proof included.
  const md = readFileSync(summary, 'utf8')
  assert.match(md, /^## Rollout staging: ↩️ failed and rolled back/)
  assert.match(md, /\| Release \| `abc123` \|/)
  assert.match(md, new RegExp(`\\| Run \\| \`${run.id}\` \\(\`rollout run\`\\)`))
  assert.match(md, /\| Outcome \| \*\*rolled-back\*\*: phase smoke: "smoke" failed/)
  assert.match(md, /\| Exit code \| \*\*1\*\*: the rollout failed and the environment is as it was/)
  assert.match(md, /\| ✅ \| `check` The check step \| preflight \| passed \| \d/)
  assert.match(md, /\| ↩️ \| `mig` The mig step \| migrate \| rolled-back \|/)
  assert.match(md, /\| ❌ \| `smoke` The smoke step \| smoke \| failed \| [^|]+ \| exit code 1: smoke failed with \[redacted\], 50% done \|/)
  assert.match(md, /\| ✅ \| rollback check: `smoke` The smoke step \| smoke \| passed \|/)
  assert.match(md, /### Rollback\n[\s\S]*\| `mig` The mig step \| ↩️ rolled-back \|/)
  assert.match(md, /\*\*As before the run:\*\* every change was undone and the smoke tests pass/)
  assert.match(md, new RegExp(`The run folder \`\\.rollout/runs/${run.id}/\`, uploaded as an artifact of \\[this workflow run\\]\\(https://github\\.com/acme/shop/actions/runs/4242\\)`))
  assert.match(md, /- `incident\.md`/)
  assert.match(md, /- `smoke\/output\.log`: command output \(smoke\)/)

  // The secret the step printed is nowhere: not in the summary, not in the annotations or groups.
  assert.match(md, /\[redacted\]/)
  assert.ok(!md.includes(TOKEN), 'the secret leaked into the job summary')
  assert.ok(!(result.stdout + result.stderr).includes(TOKEN), 'the secret leaked into the workflow log')
})

test('a passing check appends its own summary; --json keeps NDJSON but still writes the summary', async () => {
  const dir = makeProject(stepsOnly([cmd('lint', 'preflight', 'echo fine'), cmd('soft', 'environment', 'echo "slow: 2,5s" >&2; exit 3', { gate: 'warning' })]))
  const { summary, env } = actionsEnv(dir)
  const check = await runCli(['check', 'staging'], { cwd: dir, env })
  assert.equal(check.code, 0, check.stdout + check.stderr)
  assert.match(check.stdout, /^::warning title=The soft step::exit code 3: slow: 2,5s \(warning only: the run goes on\)$/m)
  const json = await runCli(['check', 'staging', '--json'], { cwd: dir, env })
  assert.equal(json.code, 0)
  for (const line of json.stdout.trim().split('\n')) JSON.parse(line)
  const md = readFileSync(summary, 'utf8')
  // Appended: one summary per command, as the runner's file is shared by the job's steps.
  assert.equal((md.match(/^## Rollout staging: ✅ passed$/gm) ?? []).length, 2, md)
  assert.match(md, /\(`rollout check`\)/)
  assert.match(md, /\| ⚠️ \| `soft` The soft step \| environment \| warning \|/)
})

test('without GITHUB_ACTIONS nothing is written to the summary file and no workflow commands are printed', async () => {
  const dir = makeProject(stepsOnly([cmd('lint', 'preflight', 'echo fine')]))
  const { summary, env } = actionsEnv(dir)
  const result = await runCli(['check', 'staging'], { cwd: dir, env: { ...env, GITHUB_ACTIONS: undefined } })
  assert.equal(result.code, 0)
  assert.ok(!existsSync(summary))
  assert.doesNotMatch(result.stdout, /^::/m)
})
