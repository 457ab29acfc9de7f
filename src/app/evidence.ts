import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import path from 'node:path'
import { localStorage } from '../adapters/storage/local-storage.js'
import { openStorage } from '../adapters/storage/open-storage.js'
import { withStorageSettings } from '../adapters/storage/settings.js'
import type { EvidenceKeeper } from '../engine/run-state.js'
import type { ConfigSource } from './config-source.js'
import { showRun } from './history.js'
import { recordPlace } from './store.js'

/** Where a run's files sit under the config's `evidence` location. */
const runPrefix = (runId: string) => `runs/${runId}/`

/**
 * Copies a run's folder to the evidence location, each file once per size and change time: called
 * after every step, it sends what is new. A file being written aside (`.tmp`, `.partial`) waits.
 */
export function evidenceKeeper(location: string, env: NodeJS.ProcessEnv): EvidenceKeeper {
  const storage = openStorage(location, env)
  const sent = new Map<string, string>()
  return async (runId, folder) => {
    const local = localStorage(folder)
    for (const name of await local.list({ recursive: true })) {
      if (/\.(tmp|partial)$/.test(name)) continue
      const info = await local.stat(name)
      const version = info ? `${info.size}:${info.modifiedMs}` : null
      if (!version || sent.get(name) === version) continue
      const writer = await storage.openWrite(runPrefix(runId) + name)
      try {
        await pipeline(await local.openRead(name), writer.stream)
        await writer.commit()
      } catch (error) {
        await writer.abort()
        throw error
      }
      sent.set(name, version)
    }
  }
}

/** One file of a run's folder: from this machine when it ran here, else from the evidence location. */
export async function readRunFile(input: ConfigSource & { runId: string; name: string }): Promise<{ name: string; body: Readable } | null> {
  const name = input.name.split('/').filter(Boolean)
  if (!name.length || name.some((part) => part === '..' || part === '.')) return null
  const relative = name.join('/')
  const { run, folder } = await showRun(input)
  const here = localStorage(folder)
  if (await here.stat(relative)) return { name: relative, body: await here.openRead(relative) }
  const place = await recordPlace(input)
  if (!place.evidence) return null
  const kept = openStorage(place.evidence, withStorageSettings(input.env ?? process.env, place.storage))
  const key = runPrefix(run.id) + relative
  return (await kept.stat(key)) ? { name: path.posix.basename(relative), body: await kept.openRead(key) } : null
}
