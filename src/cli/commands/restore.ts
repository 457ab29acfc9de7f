import { createInterface } from 'node:readline/promises'
import { RestoreIncompleteError, restoreEnvironment, type RestoreIntent } from '../../app/restore.js'
import { RolloutError } from '../../shared/errors.js'
import { EXIT } from '../exit-codes.js'
import { interruptible } from '../interrupts.js'
import { progressFor } from '../render/progress.js'
import { renderRestoreReport } from '../render/restore.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import { sourceOf, verboseLog, warnLine, type VerbOptions } from './verb.js'

export interface RestoreVerbOptions extends VerbOptions {
  /** Backup id, path of its file or manifest, or "latest". */
  backup: string
  full?: boolean
  proveAll?: boolean
  /** Client sessions loading rows at once. */
  sessions?: number
  yes?: boolean
  force?: boolean
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}

/** Asks at a terminal; elsewhere only --yes confirms. */
async function confirm(intent: RestoreIntent): Promise<boolean> {
  const what = intent.description
  if (!process.stdin.isTTY) throw new RolloutError('USAGE', `not confirmed: ${what}`, 'pass --yes to confirm when not at a terminal')
  return ask(`${what[0]!.toUpperCase()}${what.slice(1)}. Continue? [y/N] `)
}

/**
 * `rollout restore <env> <backup>`: exit 0 restored and proven; 1 refused or failed before anything
 * changed; 2 usage (no --yes without a terminal, another database without --force); 3 stopped
 * part-way: the database may be partly restored; 4 locked.
 */
export async function restoreCommand(o: RestoreVerbOptions): Promise<number> {
  const progress = progressFor(process.stderr, o.json)
  const log = verboseLog(o)
  const stop = interruptible()
  try {
    const result = await restoreEnvironment({
      ...sourceOf(o), environment: o.environment, backup: o.backup, full: Boolean(o.full), proveAll: Boolean(o.proveAll), force: Boolean(o.force), ...(o.sessions ? { sessions: o.sessions } : {}),
      signal: stop.signal, onWarning: warnLine, ...(o.yes ? {} : { confirm }),
      ...(progress ? { onProgress: progress.listener } : {}), ...(log ? { onLog: log } : {}),
    })
    progress?.done()
    if (result.status === 'cancelled') {
      process.stderr.write('Restore cancelled: nothing was changed.\n')
      return EXIT.failedClean
    }
    if (o.json) process.stdout.write(`${JSON.stringify(result.report, null, 2)}\n`)
    else process.stdout.write(`${renderRestoreReport(result.report, makeStyle(colorsEnabled(process.stdout)))}\n`)
    return EXIT.ok
  } catch (error) {
    progress?.done()
    if (!(error instanceof RestoreIncompleteError)) throw error
    const style = makeStyle(colorsEnabled(process.stderr))
    const again = ['rollout', ...(o.configPath ? ['--config', o.configPath] : []), 'restore', o.environment, error.intent.backup.id, '--full', '--yes', ...(o.force ? ['--force'] : [])].join(' ')
    process.stderr.write(`${style.red('error:')} ${error.message}\nThe database may be partly restored. Finish the restore with:\n  ${again}\n`)
    return EXIT.needsHands
  } finally {
    stop.dispose()
  }
}
