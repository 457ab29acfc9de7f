import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { freePort } from '../../adapters/net/free-port.js'
import { isAlive, stopPid } from '../../sandbox/server-process.js'
import { PROJECT_ROOT } from './sandbox.js'

const PREFERRED_PORT = 4680

/**
 * The dashboard over a kept demo: `rollout serve` in the demo's folder, detached so it outlives
 * the demo command, on 4680 when that port is free. `rollout demo --stop` stops it.
 */
export async function startDemoDashboard(dir: string): Promise<string> {
  await stopDemoDashboard(dir)
  const port = (await portFree(PREFERRED_PORT)) ? PREFERRED_PORT : await freePort()
  const log = openSync(path.join(dir, 'dashboard.log'), 'a', 0o600)
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'rollout.js'), 'serve', '--port', String(port)], { cwd: dir, detached: true, stdio: ['ignore', log, log] })
  closeSync(log)
  child.unref()
  const url = `http://127.0.0.1:${port}/`
  writeFileSync(stateFile(dir), JSON.stringify({ pid: child.pid, url }) + '\n')
  // Said only once it answers, so the printed address works when the user opens it.
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    if (!isAlive(child.pid!)) break
    if (await fetch(new URL('/api/environments', url)).then((r) => r.ok, () => false)) return url
  }
  await stopDemoDashboard(dir)
  throw new Error(`the dashboard did not start (see ${path.join(dir, 'dashboard.log')})`)
}

/** Stops the kept demo's dashboard, when one runs. */
export async function stopDemoDashboard(dir: string): Promise<boolean> {
  const file = stateFile(dir)
  if (!existsSync(file)) return false
  const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number }
  const running = isAlive(pid)
  await stopPid(pid)
  rmSync(file, { force: true })
  return running
}

const stateFile = (dir: string) => path.join(dir, 'dashboard.json')

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}
