import { cpSync, mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runRollout, type RunResult } from '../app/runs.js'
import type { RolloutEvent } from '../engine/events.js'

/**
 * The demo on the built-in quickstart example (examples/quickstart): a release that passes, then a
 * broken one that is rolled back. Runs in `.rollout/demo/quickstart/` under the current folder.
 */
export async function runQuickstartDemo(opts: { cwd: string; onEvent: (e: RolloutEvent) => void; say: (line: string) => void; signal: AbortSignal; rollbackSignal: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<RunResult[]> {
  const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/quickstart')
  const dir = path.join(opts.cwd, '.rollout', 'demo', 'quickstart')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 })
  cpSync(source, dir, { recursive: true })
  opts.say(`Demo project: ${dir} (the quickstart example: command steps, no database or provider)\n`)
  const results: RunResult[] = []
  for (const release of ['good', 'broken']) {
    opts.say(`\n=== rollout run staging, release "${release}" ===`)
    results.push(await runRollout({ cwd: dir, environment: 'staging', release, env: { ...(opts.env ?? process.env), RELEASE: release }, onEvent: opts.onEvent, signal: opts.signal, rollbackSignal: opts.rollbackSignal }))
  }
  return results
}
