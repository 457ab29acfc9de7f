import { listBackups } from '../../app/backups.js'
import { renderCatalog } from '../render/backups.js'
import { colorsEnabled, makeStyle } from '../render/style.js'
import { sourceOf, type VerbOptions } from './verb.js'

/** `rollout backups <env>`: the environment's backups, newest first. */
export async function backupsCommand(o: VerbOptions): Promise<void> {
  const { dir, backups } = await listBackups({ ...sourceOf(o), environment: o.environment })
  if (o.json) process.stdout.write(`${JSON.stringify(backups, null, 2)}\n`)
  else process.stdout.write(`${renderCatalog(backups, dir, process.cwd(), makeStyle(colorsEnabled(process.stdout)))}\n`)
}
