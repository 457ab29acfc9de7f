import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { createProvider } from '../../../src/adapters/providers/index.js'
import { localSiteStatus } from '../../../src/adapters/providers/local.js'
import { ConfigError } from '../../../src/shared/errors.js'
import { Redactor } from '../../../src/config/redact.js'
import { processRunning } from '../../support/cli.js'
import { localSite, eventually, processesWithArg, siteProcesses, SECRET } from './local-helpers.js'

test('an app that crashes is started again, and the crash is in the app log', async (t) => {
  const site = await localSite(t)
  site.release('v1', { crashAfterSeconds: 1 })
  await site.ship('v1')
  const before = await localSiteStatus(site.root)
  assert.equal(before.serving, true)
  const firstPid = before.current!.pid

  const after = await eventually(async () => {
    const s = await localSiteStatus(site.root)
    return s.current!.restarts >= 1 && s.serving && s.current!.pid !== firstPid ? s : undefined
  }, 'the crashed app started again')
  assert.equal(after.current!.restarts, 1)
  const res = await eventually(() => site.get('/version.json').catch(() => undefined), 'an answer from the restarted app')
  assert.equal(JSON.parse(res.body).version, 'v1')
  assert.notEqual(JSON.parse(res.body).pid, undefined)

  const logs = await site.provider.logs({ ...site.opts, lines: 50 })
  assert.ok(logs.some((l) => l.level === 'error' && /exited \(code 1\); restart 1 in 1 s/.test(l.message)), JSON.stringify(logs))
  assert.match(readFileSync(path.join(site.root, 'shared/logs/supervisor.log'), 'utf8'), /exited \(code 1\); restart 1 in 1 s/)
})

test('keep prunes old releases but never the current or the previous one', async (t) => {
  const site = await localSite(t, { keep: 1 })
  for (const v of ['v1', 'v2', 'v3', 'v4']) site.release(v)
  const kept = () => readdirSync(path.join(site.root, 'releases')).map((id) => id.replace(/^.*Z-/, '')).sort()

  await site.ship('v1')
  await site.ship('v2')
  assert.deepEqual(kept(), ['v1', 'v2'])
  const v3 = await site.ship('v3')
  assert.deepEqual(kept(), ['v2', 'v3'])
  // Back to v2: it is current, v3 becomes the previous one; both stay.
  const v2 = readdirSync(path.join(site.root, 'releases')).find((id) => id.endsWith('-v2'))!
  await site.provider.rollback(v2, site.opts)
  await site.provider.waitUntilLive(v2, { ...site.opts, timeoutMs: 30_000 })
  assert.deepEqual(kept(), ['v2', 'v3'])
  await site.ship('v4')
  // v4 is the newest, v2 the previous; v3 goes.
  assert.deepEqual(kept(), ['v2', 'v4'])
  await assert.rejects(site.provider.rollback(v3, site.opts), /is not kept under .* any more: nothing to roll back to/)
  const state = JSON.parse(readFileSync(path.join(site.root, 'state.json'), 'utf8'))
  assert.deepEqual(state.deployments.map((d: { release: string }) => d.release).sort(), ['v2', 'v4'])
})

test('logs: the tail of the app log, JSON lines parsed and plain lines kept as they are', async (t) => {
  const site = await localSite(t)
  site.release('v1')
  await site.ship('v1')
  assert.equal((await site.get('/boom')).status, 500)
  const lines = await eventually(async () => {
    const got = await site.provider.logs({ ...site.opts, lines: 3 })
    return got.some((l) => l.message.includes('/boom')) ? got : undefined
  }, 'the error line in the log')
  assert.equal(lines.length, 3)
  assert.deepEqual(lines[0], { message: 'plain line from v1' })
  assert.equal(lines[1]!.level, 'info')
  assert.match(lines[1]!.message, /^listening on \d+ \(https\)$/)
  assert.deepEqual({ ...lines[2], timestamp: undefined }, { level: 'error', message: 'request failed: /boom', timestamp: undefined })
  assert.ok(!Number.isNaN(Date.parse(lines[2]!.timestamp!)))
})

test('a secret in env reaches the app but no process argument list, the state file or the supervisor log', async (t) => {
  const site = await localSite(t)
  site.release('v1')
  site.release('v2')
  await site.ship('v1')
  await site.ship('v2')
  const answer = JSON.parse((await site.get('/version.json')).body)
  assert.equal(answer.secretSeen, true)
  assert.ok(siteProcesses(site.root).length >= 2, 'the supervisor and the app run')
  assert.deepEqual(processesWithArg(SECRET), [])
  for (const file of ['state.json', 'shared/logs/supervisor.log']) {
    assert.ok(!readFileSync(path.join(site.root, file), 'utf8').includes(SECRET), file)
  }
  assert.ok(!site.opts.lines.join('\n').includes(SECRET))
})

test('stopLocalSite stops the supervisor and every app; a later deploy starts the site again', async (t) => {
  const site = await localSite(t)
  site.release('v1')
  site.release('v2')
  const v1 = await site.ship('v1')
  await site.ship('v2')
  const running = siteProcesses(site.root)
  const status = await localSiteStatus(site.root)
  assert.ok(running.includes(status.supervisorPid!) && running.includes(status.current!.pid!), `site processes: ${running.join(', ')}`)

  assert.equal(await site.stop(), true)
  for (const pid of running) assert.equal(processRunning(pid), false, `pid ${pid} still runs`)
  assert.deepEqual(siteProcesses(site.root), [])
  await assert.rejects(connect(site.port), /ECONNREFUSED/)
  const after = await site.provider.current(site.opts)
  assert.deepEqual([after?.status, after?.live], ['stopped', false])
  assert.equal(await site.stop(), false)

  await site.provider.rollback(v1, site.opts)
  await site.provider.waitUntilLive(v1, { ...site.opts, timeoutMs: 30_000 })
  assert.equal(JSON.parse((await site.get('/version.json')).body).version, 'v1')
})

test('a supervisor killed outright leaves nothing behind once the site is stopped', async (t) => {
  const site = await localSite(t)
  site.release('v1')
  await site.ship('v1')
  const status = await localSiteStatus(site.root)
  process.kill(status.supervisorPid!, 'SIGKILL')
  await eventually(() => (processRunning(status.supervisorPid!) ? undefined : true), 'the supervisor gone')
  assert.equal(processRunning(status.current!.pid!), true)
  assert.equal(await site.stop(), true)
  assert.deepEqual(siteProcesses(site.root), [])
})

test('a public port already taken fails the deploy with the reason, and nothing is left running', async (t) => {
  const site = await localSite(t)
  site.release('v1')
  const squatter = net.createServer().listen(site.port, '127.0.0.1')
  t.after(() => squatter.close())
  await new Promise((resolve) => squatter.once('listening', resolve))
  await assert.rejects(site.provider.deploy('v1', site.opts), /the site supervisor could not start: it exited \(code 1\)\. Its log \(.*supervisor\.log\) ends: .*supervisor failed: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+/)
  assert.deepEqual(siteProcesses(site.root), [])
})

test('bad settings name the key and what was expected', async () => {
  const ctx = { cwd: '/tmp', env: {}, redactor: new Redactor() }
  const attempt = (config: Record<string, unknown>) => assert.rejects(createProvider({ kind: 'local', ...config } as { kind: string }, ctx), ConfigError)
  await attempt({ port: 8443 })
  await assert.rejects(createProvider({ kind: 'local', port: 8443 }, ctx), /provider\.start: missing; expected string/)
  await assert.rejects(createProvider({ kind: 'local', start: 'node server.js', port: 'high' }, ctx), /provider\.port: expected number, got a string/)
  await assert.rejects(createProvider({ kind: 'local', start: 'node server.js', port: 8443, health: { https: 'yes' } }, ctx), /provider\.health\.https: expected boolean, got a string/)
  await assert.rejects(createProvider({ kind: 'local', start: 'node server.js', port: 8443, stopTimeout: 'soon' }, ctx), /provider\.stopTimeout: expected a duration/)
  await assert.rejects(createProvider({ kind: 'local', start: 'node server.js', port: 8443, restart: true }, ctx), /provider: unknown key "restart"/)
})

function connect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy()
      resolve()
    })
    socket.on('error', reject)
  })
}

test('logs: an app that logs to stdout has its lines read from its output, with the log file\'s', async (t) => {
  const site = await localSite(t)
  site.release('v1', { logTo: 'stdout' })
  const id = await site.ship('v1')
  assert.equal((await site.get('/boom')).status, 500)
  const lines = await eventually(async () => {
    const got = await site.provider.logs({ ...site.opts, lines: 50 })
    return got.some((l) => l.message.includes('/boom')) ? got : undefined
  }, 'the error line the app printed')
  assert.ok(lines.some((l) => l.level === 'info' && /^listening on \d+ \(https\)$/.test(l.message)), JSON.stringify(lines))
  assert.deepEqual({ ...lines.at(-1), timestamp: undefined }, { level: 'error', message: 'request failed: /boom', timestamp: undefined })
  const ofDeployment = await site.provider.logs({ ...site.opts, lines: 50, deploymentId: id })
  assert.ok(ofDeployment.some((l) => l.message === 'request failed: /boom'))
  assert.ok(!readFileSync(path.join(site.root, 'shared/logs/app.log'), { encoding: 'utf8', flag: 'a+' }).includes('/boom'), 'the fixture wrote to LOG_FILE')
})
