import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli, stepsOnly } from '../support/cli.js'

/** Every file and folder below `root`, with its permission bits. */
function walk(root: string, out: { file: string; mode: number; dir: boolean }[] = []): typeof out {
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const file = path.join(root, e.name)
    const info = statSync(file)
    out.push({ file, mode: info.mode & 0o777, dir: e.isDirectory() })
    if (e.isDirectory()) walk(file, out)
  }
  return out
}

test('after real runs, nothing under the state folder is readable by group or others, whatever the umask', async () => {
  const previous = process.umask(0o022)
  try {
    const dir = makeProject(stepsOnly([
      { id: 'hello', phase: 'preflight', kind: 'command', options: { command: 'echo hello' } },
      { id: 'fails', phase: 'smoke', kind: 'command', options: { command: 'echo broken; exit 1' } },
    ]))
    const run = await runCli(['run', 'staging'], { cwd: dir })
    assert.notEqual(run.code, null, run.stderr)
    const again = await runCli(['history', 'staging'], { cwd: dir })
    assert.equal(again.code, 0, again.stderr)
    const entries = walk(path.join(dir, '.rollout'))
    const names = entries.map((e) => path.relative(dir, e.file))
    assert.ok(names.includes(path.join('.rollout', 'rollout.db')), names.join(', '))
    const open = entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${path.relative(dir, e.file)} ${e.mode.toString(8)}`)
    assert.deepEqual(open, [])
    for (const e of entries) assert.equal(e.mode, e.dir ? 0o700 : 0o600, `${e.file} ${e.mode.toString(8)}`)
  } finally {
    process.umask(previous)
  }
})
