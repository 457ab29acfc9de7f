import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { openEnvironment, runRollout, showRun, type RunResult } from '../../app/index.js'
import type { RolloutEvent } from '../../engine/events.js'
import { createProvider } from '../../adapters/providers/index.js'
import { stopLocalSite } from '../../adapters/providers/local.js'
import { stopPrivateMysqlServer } from '../../sandbox/mysql-server.js'
import { PROJECT_ROOT, prepareSandbox, sandboxPaths, type Sandbox } from './sandbox.js'
import { assertTerpDemoRunnable } from './requirements.js'
import { openInbox } from './inbox.js'
import { startDemoDashboard, stopDemoDashboard } from './dashboard.js'
import { readDatabaseState, rowChanges, servedRelease, tablesThatDiffer } from './state.js'
import { SMOKE_ORDER_TABLES, verdictLines, type DemoOutcome } from './verdict.js'

export interface DemoOptions {
  /** The demo's folder (`.rollout/demo` under the current folder). */
  dir: string
  keep: boolean
  monitorWindow: string
  onEvent: (e: RolloutEvent) => void
  say: (line: string) => void
  signal: AbortSignal
  rollbackSignal: AbortSignal
  /** The environment the rollouts see (ROLLOUT_STORE_URL for a shared store); default this process's. */
  env?: NodeJS.ProcessEnv
}

/**
 * The TERP demo: a staging sandbox on this machine, then two real rollouts through the same engine
 * `rollout run` uses: v1 → v2 (passes) and v2 → v3-broken (its order creation fails the smoke test
 * after migrate and deploy, so the app goes back to v2 and the database to the backup).
 */
export async function runTerpDemo(opts: DemoOptions): Promise<DemoOutcome> {
  const { say } = opts
  assertTerpDemoRunnable(PROJECT_ROOT)
  await stopSandbox(opts.dir, { keepDatabaseServer: true })
  say(`Setting up the staging sandbox in ${opts.dir}`)
  const inbox = await openInbox(path.join(opts.dir, 'inbox'))
  let outcome: DemoOutcome | undefined
  try {
    const sandbox = await prepareSandbox(opts.dir, { say: (l) => say(`  ${l}`), signal: opts.signal, monitorWindow: opts.monitorWindow, inbox })
    await deployFirstRelease(sandbox, opts)
    say(`  v1 is live at ${sandbox.url} (the name resolves to 127.0.0.1 inside rollout only)`)
    const first = await rolloutTo('v2', sandbox, opts)
    const afterFirst = await servedRelease(sandbox.url, sandbox.caFile, opts.signal)
    const before = await readDatabaseState(sandbox.database.url)
    const second = await rolloutTo('v3-broken', sandbox, opts)
    const afterSecond = await servedRelease(sandbox.url, sandbox.caFile, opts.signal)
    const after = await readDatabaseState(sandbox.database.url)
    outcome = {
      dir: opts.dir,
      url: sandbox.url,
      first: { ...first, served: afterFirst },
      second: { ...second, served: afterSecond },
      restore: await migrationUndo(sandbox, second.runId, opts.env ?? process.env),
      tablesDiffering: tablesThatDiffer(before, after),
      rowChanges: rowChanges(before, after, SMOKE_ORDER_TABLES),
      schemaBack: before.schemaHash === after.schemaHash,
      tableCount: Object.keys(before.tables).length,
      incidentNamesSmoke: second.incidentReport ? /`browser`|create-order/.test(readFileSync(second.incidentReport, 'utf8')) : false,
      kept: opts.keep,
      ...(opts.keep ? { dashboard: await startDemoDashboard(opts.dir).catch((error: Error) => `not started: ${error.message}`) } : {}),
      notifications: { webhook: [...inbox.webhookEvents], mail: [...inbox.mailSubjects] },
    }
    return outcome
  } finally {
    await inbox.close()
    if (!opts.keep) await stopSandbox(opts.dir, { keepDatabaseServer: false })
    if (outcome) for (const line of verdictLines(outcome)) say(line)
  }
}

/** The state before the demo's first rollout: v1 deployed by the provider, as an earlier deploy would have left it. */
async function deployFirstRelease(sandbox: Sandbox, opts: DemoOptions): Promise<void> {
  const { environment, redactor } = await openEnvironment({ cwd: sandbox.paths.dir, environment: 'staging', env: opts.env ?? process.env })
  const provider = await createProvider(environment.provider!, { cwd: sandbox.paths.dir, env: opts.env ?? process.env, redactor, resolve: environment.resolve, environmentName: 'staging' })
  const call = { signal: opts.signal, log: (l: string) => opts.say(`  local: ${redactor.redact(l)}`) }
  const started = await provider.deploy('v1', call)
  await provider.waitUntilLive(started.id, { ...call, timeoutMs: 120_000 })
}

/** How the migration's undo ended in the run's record: the restore and its proof. */
async function migrationUndo(sandbox: Sandbox, runId: string, env: NodeJS.ProcessEnv): Promise<{ status: string | null; summary: string | null }> {
  const { steps } = await showRun({ cwd: sandbox.paths.dir, runId, env })
  const migrate = steps.find((s) => s.stepId === 'migrate' && s.pass === 'run')
  return { status: migrate?.undoStatus ?? null, summary: migrate?.undoSummary ?? null }
}

async function rolloutTo(release: string, sandbox: Sandbox, opts: DemoOptions): Promise<RunResult> {
  opts.say(`\n=== rollout run staging --release ${release} ===`)
  return runRollout({ cwd: sandbox.paths.dir, environment: 'staging', release, env: opts.env ?? process.env, onEvent: opts.onEvent, signal: opts.signal, rollbackSignal: opts.rollbackSignal })
}

/**
 * Stops what an earlier demo left running: the app site, and (unless kept) the private database
 * server the demo started. A database on a shared server stays, with its data, for a look.
 */
export async function stopSandbox(dir: string, opts: { keepDatabaseServer: boolean }): Promise<string[]> {
  const paths = sandboxPaths(dir)
  const stopped: string[] = []
  if (await stopDemoDashboard(dir)) stopped.push('the dashboard')
  if (existsSync(paths.site) && (await stopLocalSite(paths.site))) stopped.push('the staging app')
  if (!opts.keepDatabaseServer && existsSync(paths.mysql) && (await stopPrivateMysqlServer(paths.mysql))) stopped.push('the private database server')
  return stopped
}

export function defaultDemoDir(cwd: string): string {
  return path.join(cwd, '.rollout', 'demo')
}
