import { z } from 'zod'
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

/** A window or interval: zero would make a loop spin or a window close before it opened. */
export const positiveDuration = duration.refine((ms) => ms > 0, { message: 'expected a duration longer than 0, such as "30s" or "5m"' })

/**
 * The lock's lease: a heartbeat renews it every third of it, so a lease of a few hundred
 * milliseconds could lapse between two beats while the run is healthy and let another run in.
 */
const MIN_LEASE_MS = 5_000
const lease = duration.refine((ms) => ms >= MIN_LEASE_MS, { message: 'expected at least "5s": the lock is renewed by a heartbeat every third of its lease, and a shorter lease can expire while the run is still alive' })

/** An IP address for `resolve`: a host name there would itself need resolving, which is what the map replaces. */
const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'expected an IP address such as "127.0.0.1" or "::1"' })

/**
 * The `backups` section, owned by the config boundary because `rollout backup`, `backups` and
 * `restore` read it as well as the backup steps (src/steps/backup/settings.ts).
 */
export const backupsSection = z.strictObject({
  dir: z.string().min(1).default('.rollout/backups'),
  keep: z.number().int().min(1).optional(),
  /** Delete backups older than this many days (the newest verified one always stays). */
  keepDays: z.number().positive().optional(),
  maxAge: duration.default(24 * 3_600_000),
  verify: z.enum(['quick', 'full']).default('quick'),
  /** Name of an environment variable holding a 256-bit key: backups are then encrypted (AES-256-GCM). */
  encryptionKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
  compression: z.enum(['auto', 'zstd', 'gzip']).default('auto'),
})

const httpUrl = z.string().refine((v) => /^https?:\/\/[^/\s]+/i.test(v), {
  message: 'expected an http:// or https:// URL',
})

const mysqlUrl = z.string().refine((v) => /^(mysql|mariadb):\/\/[^/\s]+\/[^/\s?]+/i.test(v), {
  message: 'expected a URL like mysql://user:password@host:3306/database',
})

const gate = z.enum(['blocking', 'warning'])
const phase = z.enum(PHASES)

/** What any step may set, whether it comes from the default plan or is added. */
const stepSettings = {
  title: z.string().optional(),
  gate: gate.optional(),
  timeout: duration.optional(),
  retries: z.number().int().min(0).max(20).optional(),
  after: z.array(z.string()).optional(),
  changesEnvironment: z.boolean().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
}

/** Changes to one step of the default plan, by its id; `false` switches it off. */
const stepOverride = z.union([z.literal(false), z.strictObject(stepSettings)])

/** A step added to a phase by the user. */
const extraStep = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id of lower-case letters, digits and dashes'),
  phase,
  kind: z.string().min(1),
  ...stepSettings,
})

/**
 * One environment. Sections owned by a step kind stay open objects here; the kind's own options
 * schema checks them when the plan is built, and names the key path the same way.
 */
export const environmentSchema = z.strictObject({
  url: httpUrl,
  database: z
    .looseObject({
      url: mysqlUrl,
    })
    .optional(),
  provider: z.looseObject({ kind: z.string().min(1) }).optional(),
  release: z.string().optional(),
  /** Host name → IP address used by the tool's own HTTP, TLS and browser clients (like curl --resolve). */
  resolve: z.record(z.string().min(1), ipAddress).optional(),
  /** A CA certificate file (PEM, relative to the config) the environment's HTTPS certificate is issued by; every check trusts it. */
  ca: z.string().min(1).optional(),
  backups: backupsSection.prefault({}),
  /** A preset's settings go under the environment's own (which win key by key): 'terp' (src/config/presets.ts). */
  preset: z.enum(['terp']).optional(),
  health: z
    .looseObject({
      paths: z.array(z.string().startsWith('/')).min(1).default(['/api/health']),
      /** The readiness path the smoke test's api-health step checks; default the first of `paths`. */
      ready: z.string().startsWith('/').optional(),
    })
    .prefault({}),
  hostGuard: z.looseObject({ allowedHosts: z.array(z.string().min(1)).optional() }).prefault({}),
  preflight: z
    .looseObject({
      schemaValidation: z.string().default('pnpm validate:schema'),
      unitTests: z.string().default('pnpm test'),
      typecheck: z.string().default('pnpm exec tsc --noEmit'),
    })
    .prefault({}),
  migrate: z
    .looseObject({
      command: z.string().min(1).default('pnpm db:push'),
      validate: z.string().min(1).default('pnpm validate:schema'),
      /** When a rollback restores the database (src/steps/migrate/migrate.ts); read during a rollback, so checked here. */
      restore: z.enum(['auto', 'always', 'never']).optional(),
    })
    .prefault({}),
  smoke: z.looseObject({}).prefault({}),
  logs: z.looseObject({}).prefault({}),
  /** `detach`: the window is watched by a background process once the run has finished (`rollout monitor <run>` follows it). */
  monitor: z
    .strictObject({
      window: positiveDuration.default(30 * 60_000),
      detach: z.boolean().default(false),
      // The rest is read by the monitor step (src/steps/monitor/settings.ts), which checks it when the plan is built.
      interval: positiveDuration.optional(),
      onBreach: z.enum(['rollback', 'alert']).optional(),
      health: z.union([z.literal(false), z.record(z.string(), z.unknown())]).optional(),
      errors: z.record(z.string(), z.unknown()).optional(),
    })
    .prefault({}),
  notify: z.array(z.looseObject({ kind: z.string() })).default([]),
  /** false: start from an empty plan instead of the runbook's; only the `add` steps run. */
  defaults: z.boolean().default(true),
  steps: z.record(z.string(), stepOverride).default({}),
  add: z.array(extraStep).default([]),
  lock: z.strictObject({ lease: lease.default(60_000) }).prefault({}),
})

export const configSchema = z.strictObject({
  contacts: z
    .strictObject({
      deployer: z.string().optional(),
      onCall: z.string().optional(),
      database: z.string().optional(),
      escalation: z.string().optional(),
    })
    .default({}),
  environments: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected an environment name of lower-case letters, digits, - and _'), environmentSchema).refine(
    (envs) => Object.keys(envs).length > 0,
    { message: 'expected at least one environment' },
  ),
  /** Where the run record, evidence, locks and backups live; relative to the config file. */
  stateDir: z.string().default('.rollout'),
})
