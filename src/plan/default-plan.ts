import type { ResolvedEnvironment } from '../config/types.js'
import type { Phase } from './phases.js'
import type { StepSpec } from './types.js'

const MINUTE = 60_000

type Draft = Omit<StepSpec, 'options' | 'gate' | 'timeoutMs' | 'retries' | 'after'> & Partial<StepSpec>

function step(phase: Phase, id: string, kind: string, title: string, extra: Partial<StepSpec> = {}): Draft {
  return { id, phase, kind, title, ...extra }
}

/**
 * The default plan: every step of a staging rollout, phase by phase in its order (the README's
 * "How a run goes" walks through it). Pure: the same environment always gives the same plan. Most
 * kinds read their settings from the environment's own sections; `options` here carry only what a
 * section does not say.
 */
export function defaultPlan(env: ResolvedEnvironment): StepSpec[] {
  const drafts: Draft[] = [
    // Pre-flight: the commit and the code are fit to ship; nothing is touched yet.
    step('preflight', 'ci-status', 'ci-status', 'All CI checks passing on the commit', { timeoutMs: 15 * MINUTE }),
    step('preflight', 'schema-validation', 'schema-validation', `Schema validation passing (${env.preflight.schemaValidation})`),
    step('preflight', 'typescript-baseline', 'typescript-baseline', 'TypeScript errors at or below baseline'),
    step('preflight', 'unit-tests', 'unit-tests', `All unit tests passing (${env.preflight.unitTests})`, { timeoutMs: 30 * MINUTE }),
    step('preflight', 'reviews', 'reviews', 'No blocking code review comments'),
    // Backup. Freshness only warns: a fresh backup is taken right after it anyway.
    step('backup', 'backup-freshness', 'backup-freshness', 'Latest verified backup is recent', { gate: 'warning' }),
    step('backup', 'backup', 'backup', 'Back up the target database', { after: ['backup-freshness'], timeoutMs: 60 * MINUTE }),
    step('backup', 'backup-verify', 'backup-verify', `Verify backup integrity (${env.backups.verify})`, { after: ['backup'], timeoutMs: 60 * MINUTE }),
    // The environment answers as it should: reachable, database, health, TLS, HSTS, host guard.
    step('environment', 'reachable', 'reachable', 'Staging environment is accessible'),
    step('environment', 'database', 'database', 'Database connection is working'),
    step('environment', 'health', 'health', `Health check responding (${env.health.paths.join(', ')})`),
    step('environment', 'tls', 'tls', 'SSL certificate is valid'),
    step('environment', 'hsts', 'hsts', 'HSTS header is configured'),
    step('environment', 'host-guard', 'host-guard', 'Host guard refuses foreign hosts'),
    // Sampled before anything changes, so the log check after the deploy counts only new errors.
    step('environment', 'logs-baseline', 'logs-baseline', 'Sample error lines in the logs before the deploy', { gate: 'warning' }),
    // The migration on a scratch copy of the verified backup, before the announcement and the point
    // of no return: a migration that fails there stops the run with nothing changed.
    step('environment', 'rehearse', 'rehearse', `Rehearse the migration on a scratch copy of the backup (${rehearsalTitle(env)})`, { after: ['database'], timeoutMs: 60 * MINUTE }),
    // The team hears of the deployment before anything changes.
    step('announce', 'announce', 'announce', 'Announce the deployment'),
    // The migration: the point of no return.
    step('migrate', 'migrate', 'migrate', `Apply database migrations (${env.migrate.command})`, { timeoutMs: 60 * MINUTE }),
    step('migrate', 'schema-verify', 'schema-verify', `Verify schema (${verifyCommand(env)})`, { after: ['migrate'] }),
    step('deploy', 'deploy', 'deploy', `Deploy the application${env.provider ? ` (${env.provider.kind})` : ''}`, { timeoutMs: 30 * MINUTE }),
    step('deploy', 'wait-live', 'wait-live', 'New release is live', { after: ['deploy'] }),
    // Smoke tests against the new release; re-run after an undo to prove the rollback.
    step('smoke', 'http', 'http', `${env.health.ready ?? env.health.paths[0]} returns 200`, { options: { url: env.health.ready ?? env.health.paths[0] }, timeoutMs: MINUTE }),
    step('smoke', 'trpc', 'trpc', 'tRPC endpoints responding'),
    step('smoke', 'browser', 'browser', 'Critical flows in a browser, no console errors', { timeoutMs: 15 * MINUTE }),
    step('verify', 'logs', 'logs', 'No new errors in the application logs'),
    // After the deploy: a monitoring window, then the log, the team told, the announcement closed.
    step('monitor', 'monitor', 'monitor', 'Monitor error rates', { timeoutMs: env.monitor.window + 5 * MINUTE }),
    step('post', 'deployment-log', 'deployment-log', 'Update the deployment log', { gate: 'warning' }),
    step('post', 'notify', 'notify', 'Notify the team', { gate: 'warning' }),
    step('post', 'announce-close', 'announce-close', 'Close the deployment announcement', { gate: 'warning', after: ['notify'] }),
  ]
  return drafts.map((d) => ({ options: {}, gate: 'blocking', timeoutMs: 10 * MINUTE, retries: 0, after: [], ...d }))
}

function rehearsalTitle(env: ResolvedEnvironment): string {
  const mode = (env.migrate as Record<string, unknown>).rehearse
  return mode === false ? 'off' : mode === 'data' ? 'schema and rows' : 'schema only'
}

/**
 * Default steps whose id changed, old id → new one: a config that still names an old id is told
 * the new one instead of "no such step".
 */
export const RENAMED_STEPS: Readonly<Record<string, string>> = {
  // A default step whose kind appears once in the plan is named after its kind.
  'api-health': 'http',
  'critical-flows': 'browser',
  'close-announcement': 'announce-close',
}

/** The phases re-run after an undo to prove the rollback. */
export const ROLLBACK_PROOF_PHASES: Phase[] = ['smoke']

/** What schema-verify will run, as its title says it: the step's own command wins over migrate.validate. */
function verifyCommand(env: ResolvedEnvironment): string {
  const override = env.steps['schema-verify']
  const command = override ? (override.options as { command?: string | false } | undefined)?.command : undefined
  if (command === false) return 'schema fingerprint only, no validation command'
  return command ?? env.migrate.validate
}
