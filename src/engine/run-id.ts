import { RolloutError } from '../shared/errors.js'
import type { Store } from './store.js'

/** How many matches an ambiguous prefix lists: enough to pick from, not a whole history. */
const SHOWN = 10

/**
 * The run a user's prefix names: null when none does. A prefix that fits several runs is a usage
 * error listing them, never "no run": the run is there, the prefix is just too short.
 */
export async function findRunId(store: Store, prefix: string): Promise<string | null> {
  const ids = await store.matchRunIds(prefix, SHOWN + 1)
  if (ids.length <= 1) return ids[0] ?? null
  const more = ids.length > SHOWN ? ', …' : ''
  throw new RolloutError('USAGE', `run id prefix "${prefix}" matches several runs: ${ids.slice(0, SHOWN).join(', ')}${more}`, 'give more of the run id')
}
