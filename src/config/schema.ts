import { z } from 'zod'
import { regexSource } from './regex.js'
import { PHASES } from '../plan/phases.js'
import { parseDuration } from './duration.js'

/** Durations as users write them ('30m', '24h') become milliseconds once, here. */
export const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = parseDuration(value)
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "90s", "30m" or "24h", got ${JSON.stringify(value)}` })
      return z.NEVER
    }
    return ms
  })
  .meta({ format: 'duration' })

/** A window or interval: zero would make a loop spin or a window close before it opened. */
export const positiveDuration = duration.refine((ms) => ms > 0, { message: 'expected a duration longer than 0, such as "30s" or "5m"' }).meta({ allowed: 'longer than 0' })

/**
 * The lock's lease: a heartbeat renews it every third of it, so a lease of a few hundred
 * milliseconds could lapse between two beats while the run is healthy and let another run in.
 */
const MIN_LEASE_MS = 5_000
const lease = duration
  .refine((ms) => ms >= MIN_LEASE_MS, { message: 'expected at least "5s": the lock is renewed by a heartbeat every third of its lease, and a shorter lease can expire while the run is still alive' })
  .meta({ allowed: 'at least 5s' })

/** An IP address for `resolve`: a host name there would itself need resolving, which is what the map replaces. */
const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'expected an IP address such as "127.0.0.1" or "::1"' })

/**
 * The `backups` section, owned by the config boundary because `rollout backup`, `backups` and
 * `restore` read it as well as the backup steps (src/steps/backup/settings.ts).
 */
export const backupsSection = z.strictObject({
  dir: z.string().min(1).default('.rollout/backups').describe('Backup folder (created owner-only), relative to the config; or s3://bucket/prefix in S3-compatible storage (see storage), which every machine that deploys reaches.'),
  keep: z.number().int().min(1).optional().describe('Retention: keep the newest N backups (applied after each verified backup; the newest verified one always stays).'),
  keepDays: z.number().positive().optional().describe('Delete backups older than this many days (the newest verified one always stays).'),
  maxAge: duration.default(24 * 3_600_000).describe('The newest verified backup must be younger than this for the backup-freshness check.'),
  verify: z.enum(['quick', 'full']).default('quick').describe('How a backup is verified: quick (file, trailer, tables) or full (trial restore and checksums).'),
  encryptionKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional().describe('Name of an environment variable holding a 256-bit key: backups are then encrypted (AES-256-GCM).'),
  compression: z.enum(['auto', 'zstd', 'gzip']).default('auto').describe('Compression of the dump; auto picks zstd when the zstd program is installed, else gzip.'),
})

const httpUrl = z.string().refine((v) => /^https?:\/\/[^/\s]+/i.test(v), {
  message: 'expected an http:// or https:// URL',
}).meta({ allowed: 'an http:// or https:// URL' })

const mysqlUrl = z.string().refine((v) => /^(mysql|mariadb):\/\/[^/\s]+\/[^/\s?]+/i.test(v), {
  message: 'expected a URL like mysql://user:password@host:3306/database',
}).meta({ allowed: 'mysql://user:password@host:3306/database (or mariadb://)' })

const gate = z.enum(['blocking', 'warning'])
const phase = z.enum(PHASES)

/** What any step may set, whether it comes from the default plan or is added. */
const stepSettings = {
  title: z.string().optional().describe('The step\'s title in the checklist and reports.'),
  gate: gate.optional().describe('blocking: a failure stops the run; warning: a failure is reported and the run goes on.'),
  timeout: duration.optional().describe('How long the step may run before it is stopped and fails.'),
  retries: z.number().int().min(0).max(20).optional().describe('Attempts after a failure before the step counts as failed.'),
  after: z.array(z.string()).optional().describe('Ids of steps of the same phase this one runs after.'),
  changesEnvironment: z.boolean().optional().describe('The step changes the environment: the first such step is the point of no return, and its undo runs in a rollback.'),
  options: z.record(z.string(), z.unknown()).optional().describe('The step kind\'s options (see Step kinds below).'),
}

/** Changes to one step of the default plan, by its id; `false` switches it off. */
const stepOverride = z.union([z.literal(false), z.strictObject(stepSettings)])

/** A step added to a phase by the user. */
const extraStep = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id of lower-case letters, digits and dashes').describe('The step\'s id, unique in the plan.'),
  phase: phase.describe('The phase the step runs in.'),
  kind: z.string().min(1).describe('The step kind (see Step kinds below).'),
  ...stepSettings,
})

/**
 * One environment. Sections owned by a step kind stay open objects here; the kind's own options
 * schema checks them when the plan is built, and names the key path the same way.
 */
export const environmentSchema = z.strictObject({
  url: httpUrl.describe('The app\'s base URL.'),
  database: z
    .looseObject({
      url: mysqlUrl.describe('The target database; its password is never shown. Wrap it in secret(env(\'DATABASE_URL\')).'),
    })
    .optional()
    .describe('The environment\'s MySQL or MariaDB database: backed up, migrated, fingerprinted and restored.'),
  provider: z
    .looseObject({ kind: z.string().min(1).describe('The provider (see Providers below).') })
    .optional()
    .describe('Where the app runs: `{ kind, … }`, checked by that provider\'s schema when the config is loaded.'),
  release: z.string().optional().describe('What to deploy (a version, tag or commit); `run --release` overrides it.'),
  resolve: z.record(z.string().min(1), ipAddress).optional().describe('Host name → IP address used by the tool\'s own HTTP, TLS and browser clients (like curl --resolve).'),
  ca: z.string().min(1).optional().describe('A CA certificate file (PEM, relative to the config) the environment\'s HTTPS certificate is issued by; every check trusts it.'),
  backups: backupsSection.prefault({}).describe('Where backups are kept, how fresh and how verified; read by the backup steps and `rollout backup`, `backups`, `restore`.'),
  preset: z.enum(['terp']).optional().describe('A preset whose settings go under the environment\'s own (which win key by key): \'terp\' (TERP\'s routes, selectors, tRPC calls and health paths).'),
  health: z
    .looseObject({
      paths: z.array(z.string().startsWith('/')).min(1).default(['/api/health']).describe('Health endpoints, tried in order.'),
      ready: z.string().startsWith('/').optional().describe('The readiness path the `http` smoke step checks; default the first of `paths`.'),
    })
    .prefault({})
    .describe('The health endpoints the health check, the `http` smoke step and the monitor use.'),
  hostGuard: z
    .looseObject({ allowedHosts: z.array(z.string().min(1)).optional().describe('Hosts the app must serve; default the URL\'s host.') })
    .prefault({})
    .describe('The host-guard check: the allowed hosts are served, a foreign Host header is refused.'),
  preflight: z
    .looseObject({
      schemaValidation: z.string().default('pnpm validate:schema').describe('The schema-validation step\'s command.'),
      unitTests: z.string().default('pnpm test').describe('The unit-tests step\'s command; all tests must pass.'),
      typecheck: z.string().default('pnpm exec tsc --noEmit').describe('The type-check the typescript-baseline step runs and compares with the baseline file.'),
    })
    .prefault({})
    .describe('Commands of the pre-flight checks, run in the config\'s folder.'),
  migrate: z
    .looseObject({
      command: z.string().min(1).default('pnpm db:push').describe('The migration command, run with DATABASE_URL set.'),
      validate: z.string().min(1).default('pnpm validate:schema').describe('The schema validation command schema-verify runs after the migration.'),
      // Read during a rollback (src/steps/migrate/undo-decision.ts), so checked here.
      restore: z
        .enum(['auto', 'always', 'never'])
        .optional()
        .describe('When a rollback restores the database: auto (default) unless the migration provably changed no schema; always; never.'),
      failOn: z
        .array(regexSource)
        .optional()
        .describe('Output lines (regular expressions) that fail the migration even with exit code 0; default: Node stack traces, error lines, ELIFECYCLE; [] turns the check off.'),
      rehearse: z
        .union([z.enum(['schema', 'data']), z.literal(false)])
        .optional()
        .describe('The rehearsal before the point of no return: the migration runs first on a scratch copy of the run\'s verified backup, restored beside the target and dropped afterwards. schema (default): tables, views, routines and triggers without rows; data: with the rows; false: no rehearsal. A migration that fails there stops the run with nothing changed.'),
    })
    .prefault({})
    .describe('The migration and the schema check after it.'),
  smoke: z
    .looseObject({})
    .prefault({})
    .describe('Settings of the smoke steps, overlaid by each step\'s options: the `browser` options at its top, `smoke.trpc` with the `trpc` options, `smoke.playwright` with the `playwright` options (see Step kinds); checked when the plan is built.'),
  logs: z
    .looseObject({})
    .prefault({})
    .describe('Settings of the `logs` and `logs-baseline` steps, with the same keys as their options (see Step kinds); checked when the plan is built.'),
  monitor: z
    .strictObject({
      window: positiveDuration.default(30 * 60_000).describe('How long the app is watched after the deploy.'),
      detach: z.boolean().default(false).describe('true: the window is watched by a background process once the run has finished (`rollout monitor <run>` follows it).'),
      // The rest is read by the monitor step (src/steps/monitor/settings.ts), which checks it when the plan is built.
      interval: positiveDuration.optional().describe('Time between samples (default 15s).'),
      onBreach: z.enum(['rollback', 'alert']).optional().describe('What a breach does: rollback (default) fails the step and rolls the run back; alert only warns.'),
      health: z.union([z.literal(false), z.record(z.string(), z.unknown())]).optional().describe('Health sampling `{ path, failuresInRow, timeout }` (see Monitor settings), or false for none.'),
      errors: z.record(z.string(), z.unknown()).optional().describe('Error-rate source and limits `{ source, maxPerMinute, … }` (see Monitor settings).'),
    })
    .prefault({})
    .describe('Post-deploy monitoring: health and error rate for a window.'),
  notify: z
    .array(z.looseObject({ kind: z.string().describe('console, slack, webhook or email (see Notify channels).') }))
    .default([])
    .describe('Channels the announcements and outcome messages go to, besides the console.'),
  defaults: z.boolean().default(true).describe('false: start from an empty plan instead of the runbook\'s; only the `add` steps run.'),
  steps: z.record(z.string(), stepOverride).default({}).describe('Steps of the default plan by id: false switches one off, an object changes its settings.'),
  add: z.array(extraStep).default([]).describe('Steps of your own, added to a phase.'),
  lock: z
    .strictObject({ lease: lease.default(60_000).describe('The lock\'s lease, renewed by a heartbeat every third of it; an expired lease may be taken over.') })
    .prefault({})
    .describe('The environment\'s lock, held by a run, a backup or a restore.'),
})

export const configSchema = z.strictObject({
  contacts: z
    .strictObject({
      deployer: z.string().optional().describe('Who deploys; default the user running rollout.'),
      onCall: z.string().optional().describe('The on-call contact.'),
      database: z.string().optional().describe('Who to call about the database.'),
      escalation: z.string().optional().describe('Who to escalate to.'),
    })
    .default({})
    .describe('People named in announcements and incident reports.'),
  environments: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected an environment name of lower-case letters, digits, - and _'), environmentSchema).refine(
    (envs) => Object.keys(envs).length > 0,
    { message: 'expected at least one environment' },
  ).describe('The environments by name (lower-case letters, digits, - and _); see Environment keys.'),
  stateDir: z.string().default('.rollout').describe('Where the run record, evidence, locks and backups live; relative to the config file.'),
  store: z
    .union([
      z.string(),
      z.strictObject({
        url: z.string().describe('sqlite:<path>, postgres://user@host/db or mysql://user@host/db.'),
        prefix: z.string().optional().describe('Start of the shared store\'s table names (default rollout_).'),
      }),
    ])
    .optional()
    .describe('Where the run record and the locks live: default the SQLite file in stateDir; a postgres:// or mysql:// URL (or ROLLOUT_STORE_URL) shares one record and one lock per environment between every machine that deploys. Wrap a URL holding a password in secret(env(…)).'),
  storage: z
    .strictObject({
      endpoint: z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'expected an http:// or https:// address').optional().describe('The S3-compatible endpoint (Cloudflare R2, DigitalOcean Spaces, MinIO); default AWS S3.'),
      region: z.string().min(1).optional().describe('The bucket\'s region (default AWS_REGION, else us-east-1; R2 takes auto).'),
      forcePathStyle: z.boolean().optional().describe('Address buckets as <endpoint>/<bucket> (MinIO and most self-hosted servers) instead of <bucket>.<endpoint>.'),
    })
    .optional()
    .describe('How s3:// locations (backups.dir, evidence) are reached. Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), never from the config.'),
  evidence: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'expected s3://bucket/prefix')
    .optional()
    .describe('Where each run\'s evidence is copied as its steps finish (s3://bucket/prefix), so that every machine sharing the store reads it; it is always written under stateDir first.'),
  // Each entry is checked by the step-kind rules when the config is opened, with its index in the message.
  kinds: z.array(z.unknown()).default([]).describe('Step kinds of your own, made with defineStepKind; steps under an environment\'s `add` use them by name like built-in kinds.'),
})
