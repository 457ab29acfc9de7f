import assert from 'node:assert/strict'
import { test } from 'node:test'
import { freePort } from '../../src/adapters/net/free-port.js'
import { finished, makeProject, runCli, spawnCli, stepsOnly, waitForOutput } from '../support/cli.js'

const config = stepsOnly([{ id: 'ok', phase: 'preflight', kind: 'command', options: { command: 'true' } }])

test('rollout serve prints its address, answers the API until Ctrl-C, then exits 0', async () => {
  const dir = makeProject(config)
  assert.equal((await runCli(['run', 'staging'], { cwd: dir })).code, 0)
  const port = await freePort()
  const child = spawnCli(['serve', '--port', String(port)], { cwd: dir })
  await waitForOutput(child, /Dashboard: http:\/\/127\.0\.0\.1:\d+\//)
  assert.doesNotMatch(child.output.stdout, /Sign in/, 'loopback needs no token')
  const [env] = (await (await fetch(`http://127.0.0.1:${port}/api/environments`)).json()) as { name: string; lastRun: { status: string } }[]
  assert.deepEqual([env!.name, env!.lastRun.status], ['staging', 'passed'])
  child.kill('SIGINT')
  assert.equal((await finished(child)).code, 0)
})

test('rollout serve beyond loopback prints the sign-in address with a token made for it, once, and refuses requests without it', async () => {
  const dir = makeProject(config)
  const port = await freePort()
  const child = spawnCli(['serve', '--port', String(port), '--host', '0.0.0.0'], { cwd: dir, env: { ROLLOUT_DASHBOARD_TOKEN: undefined } })
  await waitForOutput(child, /Sign in once at http:\/\/0\.0\.0\.0:\d+\/login\?token=\S+/)
  const token = /login\?token=(\S+)/.exec(child.output.stdout)![1]!
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/environments`)).status, 401)
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/environments`, { headers: { authorization: `Bearer ${token}` } })).status, 200)
  child.kill('SIGINT')
  assert.equal((await finished(child)).code, 0)
})

test('rollout serve on a port in use: exit 2 saying so', async () => {
  const dir = makeProject(config)
  const port = await freePort()
  const first = spawnCli(['serve', '--port', String(port)], { cwd: dir })
  await waitForOutput(first, /Dashboard:/)
  try {
    const second = await runCli(['serve', '--port', String(port)], { cwd: dir })
    assert.equal(second.code, 2, second.stderr)
    assert.match(second.stderr, /cannot listen on 127\.0\.0\.1:\d+: the port is in use/)
  } finally {
    first.kill('SIGINT')
    await finished(first)
  }
})
