import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MonitorWatcherStarter } from '../../app/runs.js'
import type { FollowResult } from '../../app/monitor.js'
import type { RolloutEvent } from '../../engine/events.js'
import { runDir } from '../../engine/evidence.js'
import { EXIT } from '../exit-codes.js'
import { jsonRenderer } from '../render/json.js'
import { plainRenderer } from '../render/plain.js'
import { colorsEnabled, makeStyle } from '../render/style.js'

const CLI = fileURLToPath(new URL('../../../bin/rollout.js', import.meta.url))
const WATCHER_LOG = 'monitor-watcher.log'

/**
 * Starts the watcher of a detached monitoring window: this CLI again, as `monitor <run> --watcher`,
 * in its own session so it outlives the run and its terminal. Its output goes to the run's folder;
 * secrets reach it through the environment, never its argument list.
 */
export const startMonitorWatcher: MonitorWatcherStarter = ({ runId, configFile, cwd, stateDir }) => {
  const folder = runDir(stateDir, runId)
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  const out = openSync(path.join(folder, WATCHER_LOG), 'a', 0o600)
  try {
    const child = spawn(process.execPath, [CLI, '--config', configFile, 'monitor', runId, '--watcher'], {
      cwd,
      env: process.env,
      stdio: ['ignore', out, out],
      detached: true,
    })
    child.unref()
    if (child.pid === undefined) throw new Error('the process did not start')
    return child.pid
  } finally {
    closeSync(out)
  }
}

/** `rollout monitor <run> --watcher`: keeps the window; its outcome is in the record, its exit code says it too. */
export async function watchCommand(runId: string, configPath: string | undefined): Promise<number> {
  const { watchMonitor } = await import('../../app/monitor.js')
  const result = await watchMonitor({ runId, ...(configPath ? { configPath } : {}) })
  process.stdout.write(`${new Date().toISOString()} monitoring of ${runId}: ${result.outcome}: ${result.summary}\n`)
  return exitCodeFor(result.outcome)
}

/** `rollout monitor <run>`: the window's samples as they come, then how it ended. */
export async function followCommand(runId: string, g: { config?: string; json?: boolean }): Promise<number> {
  const { followRun } = await import('../../app/monitor.js')
  // Ctrl-C stops following only: the window, and its watcher, go on.
  const stop = new AbortController()
  const onSigint = () => stop.abort()
  process.once('SIGINT', onSigint)
  try {
    const render: (e: RolloutEvent) => void = g.json ? jsonRenderer(process.stdout) : plainRenderer(process.stdout, { showOutput: true })
    const followed = await followRun({
      runId, ...(g.config ? { configPath: g.config } : {}), onEvent: render, signal: stop.signal,
      onFound: (id) => void (g.json || process.stdout.write(`Monitoring window of run ${id}:\n`)),
    })
    const result = followed.outcome === 'watcher-gone' ? { ...followed, summary: `${followed.summary} (its log: ${path.join(followed.runDir, WATCHER_LOG)})` } : followed
    const code = exitCodeFor(result.outcome)
    if (g.json) process.stdout.write(`${JSON.stringify({ runId: result.runId, outcome: result.outcome, summary: result.summary, exitCode: code })}\n`)
    else process.stdout.write(`${describe(result)}\n`)
    return code
  } finally {
    process.off('SIGINT', onSigint)
  }
}

/** 0 quiet (or nothing to watch by choice) · 1 breach rolled back or alerted, or watch stopped · 3 manual action needed. */
export function exitCodeFor(outcome: FollowResult['outcome']): number {
  switch (outcome) {
    case 'quiet':
    case 'skipped':
      return EXIT.ok
    case 'none':
      return EXIT.usage
    case 'alerted':
    case 'rolled-back':
    case 'stopped':
      return EXIT.failedClean
    default:
      return EXIT.needsHands
  }
}

const HEADLINES: Record<FollowResult['outcome'], string> = {
  quiet: 'QUIET: the window ended without a breach',
  skipped: 'NOT MONITORED',
  none: 'NOTHING TO FOLLOW',
  alerted: 'BREACH (alert only, the release stays live)',
  'rolled-back': 'BREACH: rolled back and proven',
  'rollback-failed': 'BREACH: the rollback did NOT complete, manual action needed',
  'not-rolled-back': 'BREACH: NOT rolled back, manual action needed',
  stopped: 'STOPPED before the window ended',
  'watcher-gone': 'WATCHER GONE: the window is no longer watched',
}

function describe(result: FollowResult): string {
  const style = makeStyle(colorsEnabled(process.stdout))
  const colour = result.outcome === 'quiet' || result.outcome === 'skipped' ? style.green : exitCodeFor(result.outcome) === EXIT.needsHands ? style.red : style.yellow
  return `${colour(style.bold(HEADLINES[result.outcome]))}: ${result.summary}`
}
