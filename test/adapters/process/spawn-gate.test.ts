import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { processRunning, ROOT, tempDir, waitForFile } from '../../support/cli.js'
import { runCommand } from '../../../src/adapters/process/run-command.js'

/**
 * A child that a step records (runCommand with onSpawn) must never do anything before its pid is
 * in the record: otherwise a kill -9 between the spawn and the write leaves a child no resume knows.
 */
describe('a recorded child starts only once it is recorded', () => {
  it('the program waits for the record, runs under the pid it was recorded with, and its output and exit code come back', async () => {
    const dir = tempDir('rollout-gate-')
    const marker = path.join(dir, 'ran')
    let release!: () => void
    const recorded = new Promise<void>((resolve) => (release = resolve))
    let told: number | undefined
    const done = runCommand({
      command: `echo $$ > ${marker}; echo out; exit 3`,
      onSpawn: (pid) => {
        told = pid
        return recorded
      },
    })
    await sleep(300)
    assert.equal(existsSync(marker), false, 'the program ran before its pid was recorded')
    release()
    const result = await done
    assert.equal(result.exitCode, 3)
    assert.equal(result.stdout, 'out\n')
    assert.equal(Number(readFileSync(marker, 'utf8')), told, 'the program runs under another pid than the one recorded')
  })

  it('a record that fails stops the program from starting, and the error is the one the record gave', async () => {
    const dir = tempDir('rollout-gate-')
    const marker = path.join(dir, 'ran')
    await assert.rejects(
      runCommand({ command: ['/bin/sh', '-c', `touch ${marker}`], onSpawn: async () => Promise.reject(new Error('disk full while recording')) }),
      /disk full while recording/,
    )
    assert.equal(existsSync(marker), false)
  })

  it('a missing program is ENOENT, as without the gate', async () => {
    await assert.rejects(runCommand({ command: ['no-such-program-here'], onSpawn: () => {} }), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
    await assert.rejects(runCommand({ command: ['no-such-program-here'] }), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
  })

  it('kill -9 of the parent before the record is written: the program never starts and the gate exits', async (t) => {
    const dir = tempDir('rollout-gate-')
    const marker = path.join(dir, 'ran')
    const pidFile = path.join(dir, 'child.pid')
    const script = path.join(dir, 'parent.mjs')
    // The parent is told the pid, writes it where this test reads it, and never finishes recording.
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs'
import { runCommand } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/adapters/process/run-command.ts')).href)}
await runCommand({ command: ['/bin/sh', '-c', 'touch ${marker}; sleep 30'], onSpawn: (pid) => { writeFileSync(${JSON.stringify(pidFile)}, String(pid)); return new Promise(() => {}) } })
`,
    )
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: 'ignore' })
    // Killed whatever happens: a parent left waiting forever would keep this test file from ending.
    t.after(() => void parent.kill('SIGKILL'))
    await waitForFile(pidFile)
    // The file exists from its creation on, before its pid is written into it.
    let child = 0
    for (const end = Date.now() + 10_000; !child && Date.now() < end; await sleep(20)) child = Number(readFileSync(pidFile, 'utf8'))
    assert.equal(processRunning(child), true)
    parent.kill('SIGKILL')
    const end = Date.now() + 10_000
    while (processRunning(child) && Date.now() < end) await sleep(20)
    assert.equal(processRunning(child), false, 'the gated child outlived its parent waiting for the record')
    assert.equal(existsSync(marker), false, 'the program started although its pid was never recorded')
  })
})
