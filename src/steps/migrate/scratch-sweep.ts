import type { Connection } from 'mysql2/promise'
import type { StepContext } from '../../engine/step-kind.js'
import { dropScratch, schemasStartingWith } from '../../adapters/database/scratch.js'
import { runIdOfScratch, scratchName, scratchPrefix } from './scratch-name.js'

/**
 * Drops the rehearsal scratch databases of `database` that a killed run left behind: those whose
 * run the record knows and says has ended (finished, or its process is gone), and this run's own
 * from an earlier attempt. A live run's, and one of a run this record does not know (another
 * machine's), are left alone. Returns what it dropped.
 */
export async function sweepScratches(ctx: StepContext<unknown>, admin: Connection, database: string): Promise<string[]> {
  const dropped: string[] = []
  const own = scratchName(database, ctx.runId)
  for (const name of await schemasStartingWith(admin, scratchPrefix(database))) {
    const runId = runIdOfScratch(database, name)
    if (name !== own && !runId) continue
    const state = name === own ? 'own' : ctx.runLiveness ? await ctx.runLiveness(runId!) : 'unknown'
    if (state === 'live') {
      ctx.log(`scratch database ${name} belongs to run ${runId}, which is still going: left alone`)
      continue
    }
    if (state === 'unknown') {
      ctx.log(`scratch database ${name} belongs to run ${runId}, which this record does not know (another state folder or machine?): left alone`)
      continue
    }
    try {
      await dropScratch(admin, name)
      dropped.push(name)
      ctx.log(state === 'own' ? `dropped scratch database ${name}, left by an earlier attempt of this run` : `dropped scratch database ${name}, left by run ${runId}, which has ended`)
    } catch (error) {
      ctx.log(`could not drop the scratch database ${name} left by run ${runId}: ${(error as Error).message}`)
    }
  }
  return dropped
}

