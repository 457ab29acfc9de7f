import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { ask, type SupervisorStatus } from './control.js'
import type { SiteLayout } from './layout.js'
import { tailLines } from './log-tail.js'

/** How the supervisor script is run: the compiled .js as it is, the .ts source (tests) through tsx. */
export function supervisorCommand(): { script: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url)
  const ext = path.extname(self)
  const script = path.join(path.dirname(self), `supervisor${ext}`)
  // An absolute loader URL: the supervisor runs in the site's root, where `tsx` would not resolve.
  return { script, execArgv: ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] }
}

/** The supervisor's status, or null when none runs for this site. */
export async function supervisorStatus(layout: SiteLayout): Promise<SupervisorStatus | null> {
  const answer = await ask(layout.socket, { op: 'status' })
  if (!answer) return null
  if (!answer.ok) throw new Error(`the site supervisor refused a status request: ${answer.error}`)
  return answer.status
}

/**
 * The running supervisor of the site, started when there is none. It is detached: it outlives
 * this process, because the site it serves must. Its argument list holds no secret.
 */
export async function ensureSupervisor(layout: SiteLayout, opts: { host: string; port: number; env: Record<string, string | undefined>; log: (line: string) => void }): Promise<SupervisorStatus> {
  const running = await supervisorStatus(layout)
  if (running) return running

  mkdirSync(layout.logs, { recursive: true, mode: 0o700 })
  const { script, execArgv } = supervisorCommand()
  const out = openSync(layout.supervisorLog, 'a', 0o600)
  let exited: string | null = null
  try {
    const child = spawn(process.execPath, [...execArgv, script, '--root', layout.root, '--port', String(opts.port), '--host', opts.host], {
      cwd: layout.root,
      env: opts.env,
      stdio: ['ignore', out, out],
      detached: true,
    })
    child.on('exit', (code, signal) => (exited = signal ? `signal ${signal}` : `code ${code}`))
    child.on('error', (error) => (exited = error.message))
    child.unref()
    opts.log(`started the site supervisor (pid ${child.pid}) for ${layout.root}, serving ${opts.host}:${opts.port}`)
  } finally {
    closeSync(out)
  }

  const until = Date.now() + 30_000
  for (;;) {
    const status = await supervisorStatus(layout)
    if (status) return status
    if (exited !== null || Date.now() > until) {
      const why = exited !== null ? `it exited (${exited})` : 'it did not answer within 30 s'
      throw new Error(`the site supervisor could not start: ${why}. Its log (${layout.supervisorLog}) ends: ${(await tailLines(layout.supervisorLog, 5)).join(' | ')}`)
    }
    await sleep(100)
  }
}
