import type { StepKind, StepKinds } from '../engine/step-kind.js'
import command from './command.js'
import http from './smoke/http.js'
import ciStatus from './preflight/ci-status.js'
import reviews from './preflight/reviews.js'
import schemaValidation from './preflight/schema-validation.js'
import typescriptBaseline from './preflight/typescript-baseline.js'
import unitTests from './preflight/unit-tests.js'
import backupFreshness from './backup/backup-freshness.js'
import backup from './backup/backup.js'
import backupVerify from './backup/backup-verify.js'
import reachable from './environment/reachable.js'
import database from './environment/database.js'
import health from './environment/health.js'
import tls from './environment/tls.js'
import hsts from './environment/hsts.js'
import hostGuard from './environment/host-guard.js'
import migrate from './migrate/migrate.js'
import schemaVerify from './migrate/schema-verify.js'
import rehearse from './migrate/rehearse.js'
import deploy from './deploy/deploy.js'
import waitLive from './deploy/wait-live.js'
import announce from './announce/announce.js'
import notify from './announce/notify.js'
import announceClose from './announce/announce-close.js'
import monitor from './monitor/monitor.js'
import deploymentLog from './post/deployment-log.js'
import trpc from './smoke/trpc.js'
import browser from './smoke/browser.js'
import playwright from './smoke/playwright.js'
import logsBaseline from './verify/logs-baseline.js'
import logs from './verify/logs.js'
import nothingServing from './verify/nothing-serving.js'

/**
 * Every step kind, by name. Kind modules are light: each loads its heavy parts (database driver,
 * browser) with `await import()` when it runs.
 */
const KINDS: StepKind<any>[] = [
  command, http,
  ciStatus, reviews, schemaValidation, typescriptBaseline, unitTests,
  backupFreshness, backup, backupVerify,
  reachable, database, health, tls, hsts, hostGuard,
  announce, notify, announceClose,
  rehearse, migrate, schemaVerify, deploy, waitLive,
  trpc, browser, playwright, logsBaseline, logs, nothingServing,
  monitor, deploymentLog,
]

const byName = new Map(KINDS.map((k) => [k.kind, k]))

/** The built-in kinds. */
export const builtInKinds: StepKinds = {
  find: (name) => byName.get(name),
  names: () => [...byName.keys()].sort(),
}
