import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { createProvider } from '../../src/adapters/providers/index.js'
import { stopLocalSite } from '../../src/adapters/providers/local.js'
import { freePort } from '../../src/adapters/net/free-port.js'
import { Redactor } from '../../src/config/redact.js'
import { ensureCertificates } from '../../src/sandbox/tls.js'
import { makeProject, processRunning, runCli } from '../support/cli.js'
import { APP, HOST, eventually } from '../adapters/providers/local-helpers.js'
import { callOptions } from '../adapters/providers/helpers.js'

/** A project whose staging is a local site behind a TLS front, and whose production deploys by command. */
async function project(t: { after(fn: () => unknown): void }) {
  const port = await freePort()
  const provider = { kind: 'local', root: 'site', start: 'node app.mjs', port, tls: { cert: 'certs/server.pem', key: 'certs/server.key' }, health: { hostHeader: HOST }, stopTimeout: '3s' }
  const dir = makeProject({
    environments: {
      staging: { url: `https://${HOST}:${port}`, provider },
      production: { url: 'https://prod.example.test', provider: { kind: 'command', deploy: './deploy.sh {release}' } },
    },
  })
  ensureCertificates({ dir: path.join(dir, 'certs'), hosts: [HOST] })
  for (const v of ['v1', 'v2']) {
    mkdirSync(path.join(dir, 'build', v), { recursive: true })
    copyFileSync(APP, path.join(dir, 'build', v, 'app.mjs'))
  }
  const root = path.join(dir, 'site')
  t.after(() => stopLocalSite(root))
  const deployer = await createProvider(provider, { cwd: dir, env: process.env, redactor: new Redactor() })
  const ship = async (release: string) => {
    const d = await deployer.deploy(release, callOptions())
    await deployer.waitUntilLive(d.id, { ...callOptions(), timeoutMs: 30_000 })
  }
  return { dir, port, root, ship }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

test('site status and stop: a running TLS site, stopped, the port freed, then started again by a deploy', async (t) => {
  const p = await project(t)
  await p.ship('v1')

  const running = await runCli(['site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(running.code, 0, running.stdout + running.stderr)
  assert.match(running.stdout, /supervisor\s+running \(pid \d+\)/)
  assert.match(running.stdout, new RegExp(`serving\\s+127\\.0\\.0\\.1:${p.port} \\(TLS terminated here\\)`))
  assert.match(running.stdout, /current\s+\d{8}T\d{6}Z-v1 \(release v1\)/)
  assert.match(running.stdout, /health\s+HTTP 200/)

  const json = await runCli(['--json', 'site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(json.code, 0, json.stderr)
  const report = JSON.parse(json.stdout)
  assert.equal(report.running, true)
  assert.deepEqual(report.listening, { host: '127.0.0.1', port: p.port, tls: true })
  assert.equal(report.current.release, 'v1')
  assert.ok(processRunning(report.current.pid))
  assert.deepEqual(report.health, { ok: true, answer: 'HTTP 200' })

  const stop = await runCli(['site', 'stop', 'staging'], { cwd: p.dir })
  assert.equal(stop.code, 0, stop.stdout + stop.stderr)
  assert.match(stop.stdout, /stopped the site of staging/)
  assert.equal(processRunning(report.supervisorPid), false)
  assert.equal(processRunning(report.current.pid), false)
  assert.equal(await portFree(p.port), true)
  assert.equal(readdirSync(path.join(p.root, 'releases')).length, 1)
  assert.ok(existsSync(path.join(p.root, 'state.json')))

  const again = await runCli(['site', 'stop', 'staging'], { cwd: p.dir })
  assert.equal(again.code, 0, again.stdout + again.stderr)
  assert.match(again.stdout, /is not running: nothing to stop/)

  const stopped = await runCli(['--json', 'site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(stopped.code, 1, stopped.stdout + stopped.stderr)
  assert.equal(JSON.parse(stopped.stdout).running, false)
  assert.equal(JSON.parse(stopped.stdout).health, null)
  const plain = await runCli(['site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(plain.code, 1)
  assert.match(plain.stdout, /supervisor\s+not running/)

  await p.ship('v2')
  const back = await runCli(['--json', 'site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(back.code, 0, back.stderr)
  assert.equal(JSON.parse(back.stdout).current.release, 'v2')
})

test('site commands on an environment whose provider is not local: exit 2 naming its provider.kind', async (t) => {
  const p = await project(t)
  for (const verb of ['status', 'stop']) {
    const res = await runCli(['site', verb, 'production'], { cwd: p.dir })
    assert.equal(res.code, 2, res.stdout + res.stderr)
    assert.match(res.stderr, /environments\.production\.provider\.kind: is "command"; `rollout site` needs "local"/)
  }
})

test('a missing certificate file stops the command at load: exit 2 naming provider.tls.cert and the path', async (t) => {
  const p = await project(t)
  // Never deployed: not running (exit 1), the certificate fine.
  const res = await runCli(['site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(res.code, 1, res.stderr)
  rmSync(path.join(p.dir, 'certs', 'server.pem'))
  const broken = await runCli(['site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(broken.code, 2, broken.stdout + broken.stderr)
  assert.match(broken.stderr, new RegExp(`environments\\.staging\\.provider\\.tls\\.cert: cannot read ${path.join(p.dir, 'certs', 'server.pem').replace(/[.]/g, '\\.')} \\(ENOENT\\)`))
})

test('site stop after the supervisor was killed outright: the app it left running is stopped', async (t) => {
  const p = await project(t)
  await p.ship('v1')
  const report = JSON.parse((await runCli(['--json', 'site', 'status', 'staging'], { cwd: p.dir })).stdout)
  process.kill(report.supervisorPid, 'SIGKILL')
  await eventually(() => (processRunning(report.supervisorPid) ? undefined : true), 'the supervisor gone')
  assert.equal(processRunning(report.current.pid), true)
  const orphaned = await runCli(['site', 'status', 'staging'], { cwd: p.dir })
  assert.equal(orphaned.code, 1, orphaned.stdout + orphaned.stderr)
  assert.match(orphaned.stdout, new RegExp(`app\\s+pid ${report.current.pid} \\(\\S+-v1\\) left running by a supervisor that is gone: \`rollout site stop staging\` stops it`))

  const stop = await runCli(['site', 'stop', 'staging'], { cwd: p.dir })
  assert.equal(stop.code, 0, stop.stdout + stop.stderr)
  assert.match(stop.stdout, /stopped the site of staging/)
  assert.equal(processRunning(report.current.pid), false)
  assert.equal(await portFree(p.port), true)
})
