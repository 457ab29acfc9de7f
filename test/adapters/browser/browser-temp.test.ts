import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { processRunning, ROOT, tempDir, waitForFile } from '../../support/cli.js'
import { sweepBrowserTempDirs } from '../../../src/adapters/browser/browser-temp.js'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`

/** A process that launches the browser as rollout does, with TMPDIR at `tmp`, says where its folder is, then waits. */
function launcher(tmp: string, then: 'wait' | 'close') {
  const dir = tempDir('rollout-launcher-')
  const told = path.join(dir, 'told.json')
  const script = path.join(dir, 'launch.mjs')
  writeFileSync(
    script,
    `import { readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { launchChromium } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/adapters/browser/launch.ts')).href)}
const browser = await launchChromium({ executablePath: ${JSON.stringify(CHROMIUM)} })
const mine = readdirSync(os.tmpdir()).filter((n) => n.startsWith('rollout-browser-'))
const inside = mine.flatMap((n) => readdirSync(os.tmpdir() + '/' + n))
${then === 'close' ? 'await browser.close()' : ''}
writeFileSync(${JSON.stringify(told)}, JSON.stringify({ mine, inside }))
${then === 'wait' ? 'setInterval(() => {}, 1000)' : ''}
`,
  )
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' })
  // Listened for from the start: a launcher that closes its browser may be gone before the file is seen.
  const closed = new Promise((resolve) => child.on('close', resolve))
  return { child, told, closed }
}

test('the browser keeps its temporary folders in one folder of rollout\'s, removed when rollout exits', { skip }, async () => {
  const tmp = tempDir('rollout-tmp-')
  const { child, told, closed } = launcher(tmp, 'close')
  await waitForFile(told, 60_000)
  await closed
  const seen = JSON.parse(readFileSync(told, 'utf8')) as { mine: string[]; inside: string[] }
  assert.equal(seen.mine.length, 1)
  assert.match(seen.mine[0]!, new RegExp(`^rollout-browser-${child.pid}-`))
  assert.ok(seen.inside.some((n) => n.startsWith('playwright_chromiumdev_profile-')), `the profile is not in rollout's folder: ${seen.inside.join(', ')}`)
  // tsx, which runs the launcher, keeps a cache folder there too.
  assert.deepEqual(readdirSync(tmp).filter((n) => !n.startsWith('tsx-')), [], 'something was left in the temporary folder after the browser closed')
})

test('after kill -9 of rollout its browser folder is left; the next launch (or sweep) removes it, and nothing else', { skip }, async () => {
  const tmp = tempDir('rollout-tmp-')
  writeFileSync(path.join(tmp, 'playwright_chromiumdev_profile-someone-else'), 'not ours')
  const { child, told } = launcher(tmp, 'wait')
  await waitForFile(told, 60_000)
  const seen = JSON.parse(readFileSync(told, 'utf8')) as { mine: string[] }
  child.kill('SIGKILL')
  const end = Date.now() + 10_000
  while (processRunning(child.pid!) && Date.now() < end) await sleep(50)
  const folder = path.join(tmp, seen.mine[0]!)
  assert.ok(existsSync(folder), 'the folder should still be there: nothing ran to remove it')

  assert.deepEqual(sweepBrowserTempDirs(tmp), [folder])
  assert.deepEqual(readdirSync(tmp).filter((n) => !n.startsWith('tsx-')), ['playwright_chromiumdev_profile-someone-else'], 'the sweep removed something that is not rollout\'s')
})
