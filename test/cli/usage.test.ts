import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeProject, runCli, stepsOnly } from '../support/cli.js'

// A project whose only step is harmless: a usage error must stop the CLI before it runs anything.
const PROJECT = stepsOnly([{ id: 'ok', phase: 'preflight', kind: 'command', options: { command: 'true' } }])

const cases: { name: string; args: string[]; expect: RegExp }[] = [
  { name: 'unknown option of a subcommand', args: ['plan', 'staging', '--bogus'], expect: /unknown option '--bogus'/ },
  { name: 'missing <env> argument', args: ['plan'], expect: /missing required argument 'env'/ },
  { name: 'invalid --phase choice', args: ['check', 'staging', '--phase', 'monitor'], expect: /--phase <phase>.*'monitor' is invalid.*preflight, environment/ },
  { name: 'empty --release', args: ['run', 'staging', '--release', ''], expect: /--release <id>.*expected a non-empty value/ },
  { name: '--no-monitor with --monitor', args: ['run', 'staging', '--no-monitor', '--monitor', '2m'], expect: /--monitor and --no-monitor contradict each other/ },
  { name: '--monitor then --no-monitor', args: ['run', 'staging', '--monitor', '2m', '--no-monitor'], expect: /--monitor and --no-monitor contradict each other/ },
  { name: 'non-numeric --limit', args: ['history', 'staging', '--limit', 'abc'], expect: /--limit <n>.*expected a positive whole number/ },
  { name: 'zero --limit', args: ['history', 'staging', '--limit', '0'], expect: /--limit <n>.*expected a positive whole number/ },
]

test('usage errors of subcommands exit 2 and run nothing', async () => {
  for (const c of cases) {
    const dir = makeProject(PROJECT)
    const result = await runCli(c.args, { cwd: dir })
    assert.equal(result.code, 2, `${c.name}: exit ${result.code}\n${result.stderr}`)
    assert.match(result.stderr, c.expect, c.name)
    assert.doesNotMatch(result.stdout, /Run |passed/, `${c.name}: nothing may run`)
  }
})

test('a run id prefix that fits several runs says so and lists them; exit 2', async () => {
  const dir = makeProject(PROJECT)
  for (let i = 0; i < 2; i++) assert.equal((await runCli(['run', 'staging'], { cwd: dir })).code, 0)
  const history = await runCli(['history', 'staging', '--json'], { cwd: dir })
  const ids = (JSON.parse(history.stdout) as { id: string }[]).map((r) => r.id)
  assert.equal(ids.length, 2)
  const result = await runCli(['status', '2'], { cwd: dir })
  assert.equal(result.code, 2, result.stderr)
  assert.match(result.stderr, /run id prefix "2" matches several runs/)
  for (const id of ids) assert.ok(result.stderr.includes(id), `${id} not listed:\n${result.stderr}`)
  const limited = await runCli(['history', 'staging', '--limit', '1', '--json'], { cwd: dir })
  assert.equal(JSON.parse(limited.stdout).length, 1)
  const one = await runCli(['status', ids[0]!.slice(0, -1)], { cwd: dir })
  assert.equal(one.code, 0, one.stderr)
})
