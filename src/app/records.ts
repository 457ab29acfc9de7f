import { findRunId } from '../engine/run-id.js'
import type { RunRecord } from '../engine/store.js'
import { RolloutError } from '../shared/errors.js'
import type { ConfigSource } from './config-source.js'
import { describeStore, placeOf, withStore } from './store.js'

/**
 * A run of the record by id or unique prefix; with `allowEnvironment`, an environment name stands
 * for its newest run that changed something (what `rollout rollback <env>` undoes).
 */
export async function findRun(source: ConfigSource, target: string, allowEnvironment = false): Promise<RunRecord> {
  const { store: location } = await placeOf(source)
  return withStore(location, async (store) => {
    const id = await findRunId(store, target)
    if (id) return (await store.getRun(id))!
    if (allowEnvironment) {
      const runs = await store.listRuns({ environment: target, limit: 50 })
      const latest = runs.find((r) => r.crossedAt !== null)
      if (latest && latest.status !== 'rolled-back') return latest
      if (runs.length) throw new RolloutError('USAGE', `no run of "${target}" left anything to roll back (newest: ${runs[0]!.id}, ${runs[0]!.status})`)
    }
    throw new RolloutError('USAGE', `no run "${target}" in ${describeStore(location)}`, 'list runs with `rollout history <env>`')
  })
}
