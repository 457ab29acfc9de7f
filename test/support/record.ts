import path from 'node:path'
import { SqliteStore } from '../../src/adapters/store/sqlite.js'

/** Opens a project's run record read-only-in-spirit, for assertions. */
export async function readRecord(projectDir: string) {
  const store = new SqliteStore(path.join(projectDir, '.rollout', 'rollout.db'))
  try {
    const runs = await store.listRuns({ limit: 100 })
    const steps = new Map(await Promise.all(runs.map(async (r) => [r.id, await store.getSteps(r.id)] as const)))
    const events = new Map(await Promise.all(runs.map(async (r) => [r.id, await store.getEvents(r.id)] as const)))
    const locks = await store.getLock('staging')
    return { runs, steps, events, lock: locks }
  } finally {
    store.close()
  }
}
