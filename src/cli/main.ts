import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PHASES, type Phase } from '../plan/phases.js'
import { RolloutError } from '../shared/errors.js'
import { parseDuration } from '../config/duration.js'
import type { RolloutEvent } from '../engine/events.js'
import { EXIT, exitCodeForError, exitCodeForRun } from './exit-codes.js'
import { plainRenderer } from './render/plain.js'
import { jsonRenderer } from './render/json.js'
import { checklistRenderer } from './render/checklist.js'
import { githubRenderer, underGitHubActions } from './render/github.js'
import { colorsEnabled, makeStyle } from './render/style.js'
import { runInterrupts } from './interrupts.js'
import type { RunResult } from '../app/runs.js'

interface Globals {
  config?: string
  json?: boolean
  verbose?: boolean
}

const version = (JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version

/**
 * Picks how events are shown: NDJSON, plain lines with workflow commands under GitHub Actions, a live
 * checklist on a terminal, or plain lines.
 */
function eventRenderer(g: Globals): (e: RolloutEvent) => void {
  if (g.json) return jsonRenderer(process.stdout)
  if (underGitHubActions()) return githubRenderer(process.stdout)
  const tty = process.stdout.isTTY && !process.env.CI
  return tty ? checklistRenderer(process.stdout) : plainRenderer(process.stdout, { showOutput: Boolean(g.verbose) })
}

async function runLike(g: Globals, command: string, call: (common: { configPath?: string; onEvent: (e: RolloutEvent) => void; signal: AbortSignal; rollbackSignal: AbortSignal }) => Promise<RunResult>): Promise<number> {
  const stop = runInterrupts()
  try {
    const result = await call({ ...(g.config ? { configPath: g.config } : {}), onEvent: eventRenderer(g), signal: stop.signal, rollbackSignal: stop.rollbackSignal })
    const code = exitCodeForRun(result)
    if (underGitHubActions()) {
      const { writeJobSummary } = await import('./github.js')
      await writeJobSummary(command, result, code, { configPath: g.config })
    }
    return code
  } finally {
    stop.dispose()
  }
}

function parseWindow(value: string): number {
  const ms = parseDuration(value)
  if (ms === null || ms <= 0) throw new RolloutError('USAGE', `--monitor: expected a duration such as 30s, 2m or 1h, got ${JSON.stringify(value)}`)
  return ms
}

/** A flag value that must say something: `--release ''` would deploy nothing in particular. */
function nonEmpty(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError('expected a non-empty value')
  return value
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number')
  return Number(value)
}

/** More sessions than this only queue up on the server's locks and cores. */
function sessionsOption(value: string): number {
  const n = positiveInteger(value)
  if (n > 16) throw new InvalidArgumentError('expected a whole number from 1 to 16')
  return n
}

function parsePhases(value: string | undefined): Phase[] | undefined {
  if (!value) return undefined
  const phases = value.split(',').map((p) => p.trim())
  for (const p of phases) if (!(PHASES as readonly string[]).includes(p)) throw new RolloutError('USAGE', `unknown phase "${p}"`, `phases: ${PHASES.join(', ')}`)
  return phases as Phase[]
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('rollout')
  // Before any subcommand is added: each copies this setting when created, so a subcommand's
  // usage error (unknown option, missing argument) is thrown to main() and exits 2, not 1.
  program.exitOverride()
  const style = makeStyle(colorsEnabled(process.stdout))
  program
    .description('Ship a web app and its MySQL database to staging safely: every runbook step, with evidence, and a rollback of app and database together.')
    .version(version)
    .option('-c, --config <file>', 'config file (default: rollout.config.ts, .mts, .js or .mjs in the current folder)')
    .option('--json', 'machine-readable output (NDJSON events for runs)')
    .option('--verbose', 'show step output lines and stack traces')
    .showHelpAfterError()
    .addHelpText('after', `
Exit codes: 0 success · 1 failed, environment as before (stopped by a gate, or rolled back and proven)
            2 usage or config error · 3 failed and the rollback did not complete (manual action needed)
            4 environment locked by another run`)
  const g = () => program.opts<Globals>()
  const source = () => (g().config ? { configPath: g().config } : {})

  program.command('init').description('write a commented rollout.config.ts for staging that fits the project (package manager, scripts, ORM, Playwright, provider)').option('--force', 'overwrite an existing file')
    .option('--preset <name>', "a known app's settings under the environment: terp (TERP's health paths, smoke flows, tRPC calls and login)")
    .action(async (o: { force?: boolean; preset?: string }) => {
      const { initConfig } = await import('../app/init.js')
      const { file, found } = initConfig(process.cwd(), { force: Boolean(o.force), preset: o.preset })
      const vars = o.preset === 'terp' ? ' TERP_SMOKE_USER=… TERP_SMOKE_PASSWORD=…' : ''
      process.stdout.write(`Found:\n${found.map((l) => `  ${l}\n`).join('')}Wrote ${file}\nNext: DATABASE_URL=mysql://… STAGING_URL=https://…${vars} rollout plan staging\n`)
    })

  program.command('plan').argument('<env>', 'environment name').description('print exactly what `run` would execute')
    .option('--phase <phases>', `only these phases, comma-separated (${PHASES.join(', ')})`)
    .action(async (env: string, o: { phase?: string }) => {
      const { planRollout } = await import('../app/plan.js')
      const { url, ...plan } = await planRollout({ environment: env, ...source(), phases: parsePhases(o.phase) })
      if (g().json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`)
      else {
        const { renderPlan } = await import('./render/plan.js')
        process.stdout.write(`${renderPlan(plan, url, style)}\n`)
      }
    })

  const monitorFlags = new Set<string>()
  program.command('run').argument('<env>', 'environment name').description('run the whole rollout: checks, backup, migrate, deploy, smoke tests; roll back on failure')
    .option('--release <id>', 'release to deploy (commit, tag or version); default: the config\'s release', nonEmpty)
    .option('--monitor <duration>', 'monitoring window for this run, e.g. 2m or 30s (default: the config\'s monitor.window, 30m)')
    .option('--no-monitor', 'skip the monitoring window (recorded as skipped, with the reason)')
    .option('--detach-monitor', 'watch the monitoring window in the background once the run has finished; follow it with `rollout monitor <run>`')
    .option('--first', 'a first deploy: nothing is live yet, so the gates that talk to the app before the deploy are skipped (refused when the provider reports a live deployment); a rollback takes the new deployment down and is proven by nothing serving')
    // --monitor and --no-monitor share one value, the last flag winning; both at once is a contradiction.
    .on('option:monitor', () => monitorFlags.add('--monitor'))
    .on('option:no-monitor', () => monitorFlags.add('--no-monitor'))
    .action(async (env: string, o: { release?: string; monitor?: string | false; detachMonitor?: boolean; first?: boolean }) => {
      if (monitorFlags.size > 1) throw new RolloutError('USAGE', '--monitor and --no-monitor contradict each other', 'pass one of them')
      const { runRollout } = await import('../app/runs.js')
      const { startMonitorWatcher } = await import('./commands/monitor.js')
      const monitor = o.monitor === false || o.monitor === undefined ? o.monitor : parseWindow(o.monitor)
      setExit(await runLike(g(), 'run', (c) => runRollout({ ...c, environment: env, release: o.release, monitor, detachMonitor: o.detachMonitor, first: o.first, startMonitorWatcher })))
    })

  program.command('check').argument('<env>', 'environment name').description('run the pre-flight and environment checks only; changes nothing')
    .addOption(new Option('--phase <phase>', 'only this phase').choices(['preflight', 'environment']))
    .option('--first', 'nothing is live yet: the gates that talk to the app are skipped (refused when the provider reports a live deployment)')
    .action(async (env: string, o: { phase?: Phase; first?: boolean }) => {
      const { checkRollout } = await import('../app/runs.js')
      setExit(await runLike(g(), 'check', (c) => checkRollout({ ...c, environment: env, ...(o.phase ? { phases: [o.phase] } : {}), first: Boolean(o.first) })))
    })

  program.command('resume').argument('<run>', 'run id (a unique prefix is enough)').description('continue an interrupted run from its record; finished steps are not run again')
    .action(async (runId: string) => {
      const { resumeRollout } = await import('../app/runs.js')
      const { startMonitorWatcher } = await import('./commands/monitor.js')
      setExit(await runLike(g(), 'resume', (c) => resumeRollout({ ...c, runId, startMonitorWatcher })))
    })

  program.command('rollback').argument('<target>', 'run id, or an environment name for its newest run that changed something').description('undo a run: every step that changed the environment, newest first, then re-run the smoke tests. Refused (exit 2) when a newer run changed the environment since')
    .option('--force', 'roll back even though a newer run changed the environment since: what that run did, and data written since, is lost')
    .action(async (target: string, o: { force?: boolean }) => {
      const { rollbackRollout } = await import('../app/runs.js')
      setExit(await runLike(g(), 'rollback', (c) => rollbackRollout({ ...c, target, force: Boolean(o.force) })))
    })

  program.command('monitor').argument('<run>', 'run id (a unique prefix is enough)').description('follow a run\'s monitoring window: its samples as they come, then how it ended (0 quiet, 1 breach rolled back or alerted, 3 rollback incomplete)')
    .addOption(new Option('--watcher', 'keep the window of a detached run (started by `run`)').hideHelp())
    .action(async (runId: string, o: { watcher?: boolean }) => {
      const { followCommand, watchCommand } = await import('./commands/monitor.js')
      setExit(await (o.watcher ? watchCommand(runId, g().config) : followCommand(runId, g())))
    })

  program.command('status').argument('[run]', 'run id (default: the newest run)').description('show a run from the record: each step, its result and undo')
    .action(async (runId?: string) => {
      const { showRun } = await import('../app/history.js')
      const { renderStatus } = await import('./render/runs.js')
      const { run, steps, lock, interrupted } = await showRun({ ...source(), ...(runId ? { runId } : {}) })
      if (g().json) process.stdout.write(`${JSON.stringify({ ...run, interrupted, lock, steps }, null, 2)}\n`)
      else process.stdout.write(`${renderStatus(run, steps, lock, interrupted, style)}\n`)
    })

  program.command('history').argument('<env>', 'environment name').description('list the runs of an environment, newest first')
    .option('--limit <n>', 'how many', positiveInteger, 20)
    .action(async (env: string, o: { limit: number }) => {
      const { listRuns } = await import('../app/history.js')
      const { renderHistory } = await import('./render/runs.js')
      const runs = await listRuns({ ...source(), environment: env, limit: o.limit })
      if (g().json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`)
      else process.stdout.write(`${renderHistory(runs, style)}\n`)
    })

  program.command('backup').argument('<env>', 'environment name').description('back up the environment\'s database now: verified at backups.verify, then retention; holds the environment\'s lock')
    .action(async (env: string) => {
      const { backupCommand } = await import('./commands/backup.js')
      setExit(await backupCommand({ ...g(), configPath: g().config, environment: env }))
    })

  program.command('backups').argument('<env>', 'environment name').description('list the environment\'s backups, newest first (id, time, size, verified, age, database)')
    .action(async (env: string) => {
      const { backupsCommand } = await import('./commands/backups.js')
      await backupsCommand({ ...g(), configPath: g().config, environment: env })
    })

  program.command('restore').argument('<env>', 'environment name').argument('<backup>', 'backup id (see `rollout backups`), path of its file or manifest, or "latest"')
    .description('put the environment\'s database back to a backup: only the tables that differ, then prove every table equals it')
    .option('--full', 'replay every table, not only those that differ')
    .option('--prove-all', 'checksum every table after the replay, also those shown unchanged (by their checksum before, or by the binary log)')
    .option('--sessions <n>', 'client sessions loading rows at once (default: one per core, 2 to 4, once the rows to load pass 64 MiB; 1: one session)', sessionsOption)
    .option('--yes', 'do not ask for confirmation (required when not at a terminal)')
    .option('--force', 'restore a backup of another database into this one, or one whose manifest has no seal to check it against')
    .action(async (env: string, backup: string, o: { full?: boolean; proveAll?: boolean; sessions?: number; yes?: boolean; force?: boolean }) => {
      const { restoreCommand } = await import('./commands/restore.js')
      setExit(await restoreCommand({ ...g(), ...o, configPath: g().config, environment: env, backup }))
    })

  program.command('baseline').description('manage the baselines the typescript-baseline and schema-validation gates compare with')
    .command('update').argument('<env>', 'environment name').argument('[which]', 'typescript (default): the type-check\'s errors; schema: the schema validator\'s findings (with its report option)')
    .description('run the type-check (or the schema validator) and rewrite the baseline file with today\'s errors (or findings)')
    .option('--step <id>', 'which step, when the plan has several of its kind')
    .action(async (env: string, which: string | undefined, o: { step?: string }) => {
      const { baselineUpdateCommand } = await import('./commands/baseline.js')
      await baselineUpdateCommand({ ...g(), ...o, which, configPath: g().config, environment: env })
    })

  program.command('unlock').argument('<env>', 'environment name').description('remove the lock of a run that is gone (recorded in that run)')
    .option('--force', 'required: confirms that no run is active on this environment')
    .action(async (env: string, o: { force?: boolean }) => {
      if (!o.force) throw new RolloutError('USAGE', 'unlock needs --force', 'make sure no rollout is running on this environment first')
      const { unlockEnvironment } = await import('../app/history.js')
      process.stdout.write(`${await unlockEnvironment({ ...source(), environment: env })}\n`)
    })

  const store = program.command('store').description('the shared record (config `store` or ROLLOUT_STORE_URL: a PostgreSQL or MySQL database every machine that deploys reaches)')
  store.command('status').description('the store and the version of its tables; changes nothing (exit 1 when they need `rollout store migrate`)')
    .action(async () => {
      const { storeReportCommand } = await import('./commands/store.js')
      setExit(await storeReportCommand({ ...g(), configPath: g().config, migrate: false }))
    })
  store.command('migrate').description('create the store\'s tables, or bring them to this version (every command also does this when it opens the store)')
    .action(async () => {
      const { storeReportCommand } = await import('./commands/store.js')
      setExit(await storeReportCommand({ ...g(), configPath: g().config, migrate: true }))
    })
  store.command('import').description('copy a local record (runs, steps, events) into the shared store; runs already there are left alone, so it can be run again')
    .option('--from <dir>', 'the state folder (or rollout.db) to copy from', undefined)
    .action(async (o: { from?: string }) => {
      const { storeImportCommand } = await import('./commands/store.js')
      await storeImportCommand({ ...g(), configPath: g().config, ...(o.from ? { from: o.from } : {}) })
    })

  program.command('serve').description('the dashboard: each environment\'s state, its runs (filtered by status, user, release) with a duration chart, each run\'s live timeline and evidence, the backups; start a run, roll one back or unlock an environment from the page (each confirmed); the same as a JSON API under /api/ (Ctrl-C stops it)')
    .option('--port <n>', 'port to listen on', positiveInteger, 4680)
    .option('--host <address>', 'address to listen on; any but loopback needs a token: ROLLOUT_DASHBOARD_TOKEN, or one made and printed once', '127.0.0.1')
    .action(async (o: { port: number; host: string }) => {
      const { serveCommand } = await import('./commands/serve.js')
      setExit(await serveCommand({ ...source(), port: o.port, host: o.host }))
    })

  const site = program.command('site').description('the site the `local` provider runs on this machine (other providers: exit 2)')
  site.command('status').argument('<env>', 'environment name')
    .description('the supervisor (pid), the public address and whether it terminates TLS, the current deployment, its app (pid) and one health request; exit 0 running, 1 not running')
    .action(async (env: string) => {
      const { siteStatusCommand } = await import('./commands/site.js')
      setExit(await siteStatusCommand({ ...g(), configPath: g().config, environment: env }))
    })
  site.command('stop').argument('<env>', 'environment name')
    .description('stop the app and the supervisor and free the port; releases and state stay, so a deploy or rollback starts it again. A stopped site: says so, exit 0')
    .action(async (env: string) => {
      const { siteStopCommand } = await import('./commands/site.js')
      setExit(await siteStopCommand({ ...g(), configPath: g().config, environment: env }))
    })

  program.command('demo').description('from a clone of the repository: set up a staging sandbox on this machine (TERP example app, MySQL, HTTPS) and run two real rollouts: v1 → v2 passes, v2 → v3-broken is rolled back, app and database')
    .option('--keep', 'leave the sandbox (app, database server) running at the end')
    .option('--stop', 'stop a sandbox left running by --keep, and do nothing else')
    .option('--monitor <duration>', 'monitoring window of each run', '15s')
    .option('--quickstart', 'instead, the quickstart example: command steps only, no database, app or browser')
    .option('--store <url>', 'record the runs in a shared store (postgres://user@host/db or mysql://…); a URL with a password goes in ROLLOUT_STORE_URL instead')
    .action(async (o: { keep?: boolean; stop?: boolean; monitor: string; quickstart?: boolean; store?: string }) => {
      // Every user of the machine can read a process's arguments: a password never travels there.
      if (o.store && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(o.store)) {
        throw new RolloutError('USAGE', '--store: the URL holds a password, which any user of this machine could read in the process list', 'set ROLLOUT_STORE_URL to it instead and leave --store out')
      }
      const { demoCommand } = await import('./commands/demo.js')
      setExit(await demoCommand({ ...o, onEvent: eventRenderer(g()), interrupts: runInterrupts }))
    })

  return program
}

const MUTATING = new Set(['run', 'resume', 'rollback'])

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok
  const program = buildProgram((c) => { code = c })
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) })
  try {
    await program.parseAsync(argv)
    return code
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    const verbose = argv.includes('--verbose')
    const style = makeStyle(colorsEnabled(process.stderr))
    if (error instanceof RolloutError) {
      process.stderr.write(`${style.red('error:')} ${error.message}\n${error.hint ? `${style.dim(`hint: ${error.hint}`)}\n` : ''}`)
    } else {
      process.stderr.write(`${style.red('unexpected error:')} ${(error as Error)?.message ?? String(error)}\n`)
    }
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
    const command = argv.slice(2).find((a) => !a.startsWith('-'))
    return exitCodeForError(error, MUTATING.has(command ?? ''))
  }
}
