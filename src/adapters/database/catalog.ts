import path from 'node:path'
import { DatabaseError } from './errors.js'
import { partialWriter } from './partials.js'
import { processAlive } from '../../shared/process/alive.js'
import { isObjectLocation, joinLocation, locationName, parentLocation } from '../storage/location.js'
import { openStorage } from '../storage/open-storage.js'
import { statAt } from '../storage/files.js'
import { MANIFEST_SUFFIX, backupStatus, readCheckedManifest, readManifest, type BackupManifest, type BackupStatus } from './manifest.js'
import { sealPathFor, type SealStatus } from './manifest-seal.js'

/** One backup as `rollout backups` lists it. */
export interface BackupEntry {
  /** backup_YYYYMMDD_HHMMSS[_suffix]: what `rollout restore` accepts. */
  id: string
  database: string
  createdAt: string
  ageMs: number
  sizeBytes: number
  status: BackupStatus
  /** The best verification level passed; null unless status is verified. */
  verified: 'quick' | 'full' | null
  problems: string[]
  encrypted: boolean
  tables: number
  /** Where the backup file is: a local path, or `s3://bucket/key`. */
  path: string
  manifestPath: string
}

/** backup_YYYYMMDD_HHMMSS in UTC (sortable by name, and readable), plus an optional suffix. */
export function backupId(at: Date, suffix?: string): string {
  const p = (n: number) => String(n).padStart(2, '0')
  const stamp = `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}_${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`
  const clean = suffix?.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '')
  return `backup_${stamp}${clean ? `_${clean}` : ''}`
}

/** An id no file in the folder uses yet (two backups in the same second get _2, _3…). */
export async function freeBackupId(dir: string, base: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const names = new Set(await openStorage(dir, env).list().catch(() => [] as string[]))
  const taken = (id: string) => [...names].some((n) => n === id || n.startsWith(id + '.'))
  if (!taken(base)) return base
  for (let n = 2; ; n++) if (!taken(`${base}_${n}`)) return `${base}_${n}`
}

function entryFrom(manifest: BackupManifest, manifestPath: string, now: number): BackupEntry {
  const { status, level, problems } = backupStatus(manifest)
  return {
    id: manifest.id,
    database: manifest.database,
    createdAt: manifest.createdAt,
    ageMs: Math.max(0, now - Date.parse(manifest.createdAt)),
    sizeBytes: manifest.sizeBytes,
    status,
    verified: level,
    problems,
    encrypted: manifest.encryption !== null,
    tables: manifest.tables.length,
    path: joinLocation(parentLocation(manifestPath), locationName(manifest.file)),
    manifestPath,
  }
}

/**
 * A backup whose file is gone or no longer of the size its manifest recorded (truncated, cut short
 * by a full disk, replaced) is invalid, whatever its verification said: one stat per backup, so
 * `backups` and "latest" never offer it. (Its content is checked by verify and by restore.)
 */
async function withFileChecked(entry: BackupEntry, env: NodeJS.ProcessEnv): Promise<BackupEntry> {
  const info = await statAt(entry.path, env)
  const problem = !info ? `backup file ${locationName(entry.path)} is missing` : info.size !== entry.sizeBytes ? `backup file is ${info.size} bytes, the manifest says ${entry.sizeBytes}` : null
  return problem ? { ...entry, status: 'invalid', verified: null, problems: [...entry.problems, problem] } : entry
}

/**
 * Every backup in a folder, newest first. A manifest that cannot be read is listed as invalid
 * (so it is seen and can be pruned), never offered for restore.
 */
export async function listBackups(dir: string, now: number = Date.now(), env: NodeJS.ProcessEnv = process.env): Promise<BackupEntry[]> {
  const storage = openStorage(dir, env)
  const names = await storage.list()
  const out: BackupEntry[] = []
  for (const name of names.filter((n) => n.endsWith(MANIFEST_SUFFIX))) {
    const manifestPath = joinLocation(dir, name)
    try {
      out.push(await withFileChecked(entryFrom(await readManifest(manifestPath, env), manifestPath, now), env))
    } catch (error) {
      const id = name.slice(0, -MANIFEST_SUFFIX.length)
      const info = await storage.stat(name).catch(() => null)
      out.push({
        id,
        database: '',
        createdAt: new Date(info?.modifiedMs ?? 0).toISOString(),
        ageMs: Math.max(0, now - (info?.modifiedMs ?? 0)),
        sizeBytes: 0,
        status: 'invalid',
        verified: null,
        problems: [(error as Error).message],
        encrypted: false,
        tables: 0,
        path: '',
        manifestPath,
      })
    }
  }
  return out.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id))
}

/** The newest backup that passed verification (optionally of one database), or null. */
export async function newestVerified(dir: string, opts: { database?: string; now?: number; env?: NodeJS.ProcessEnv } = {}): Promise<BackupEntry | null> {
  const all = await listBackups(dir, opts.now, opts.env)
  return all.find((b) => b.status === 'verified' && (!opts.database || b.database === opts.database)) ?? null
}

/**
 * Finds a backup by id, by the path of its file or manifest, or "latest" (newest verified).
 * Errors say which backups exist.
 */
export async function findBackup(ref: string, dir?: string, env: NodeJS.ProcessEnv = process.env): Promise<{ manifest: BackupManifest; manifestPath: string; seal: SealStatus }> {
  if (dir && (ref === 'latest' || ref === 'newest')) {
    const newest = await newestVerified(dir, { env })
    if (!newest) throw new DatabaseError('NOT_FOUND', `no verified backup in ${dir}`)
    return { ...(await readCheckedManifest(newest.manifestPath, env)), manifestPath: newest.manifestPath }
  }
  const candidates: string[] = []
  const absolute = (ref: string) => (isObjectLocation(ref) ? ref : path.resolve(ref))
  if (ref.endsWith(MANIFEST_SUFFIX)) candidates.push(absolute(ref))
  else if (ref.includes('/') || ref.includes(path.sep)) {
    const base = locationName(ref)
    const id = base.includes('.') ? base.slice(0, base.indexOf('.')) : base
    candidates.push(joinLocation(parentLocation(absolute(ref)), id + MANIFEST_SUFFIX))
  }
  if (dir && !ref.includes('/')) candidates.push(joinLocation(dir, (ref.includes('.') ? ref.slice(0, ref.indexOf('.')) : ref) + MANIFEST_SUFFIX))
  for (const manifestPath of candidates) {
    if (await statAt(manifestPath, env)) return { ...(await readCheckedManifest(manifestPath, env)), manifestPath }
  }
  const known = dir ? (await listBackups(dir, Date.now(), env)).slice(0, 5).map((b) => b.id) : []
  throw new DatabaseError('NOT_FOUND', `no backup "${ref}"${dir ? ` in ${dir}` : ''}`, known.length ? `newest backups: ${known.join(', ')}` : undefined)
}

export interface PruneOptions {
  /** Keep at most this many backups (newest first). */
  keep?: number
  /** Delete backups older than this many days. */
  maxAgeDays?: number
  now?: number
  /** Only say what would go. */
  dryRun?: boolean
  env?: NodeJS.ProcessEnv
}

/**
 * Deletes backups beyond `keep` or older than `maxAgeDays`, but never the newest verified one:
 * a rollback must always have something to go back to. Also removes a crashed backup's leftover
 * `.partial` file once it is a day old and its writer is gone (a new backup removes those at once).
 */
export async function pruneBackups(dir: string, opts: PruneOptions): Promise<{ deleted: string[]; kept: string[] }> {
  const now = opts.now ?? Date.now()
  const env = opts.env ?? process.env
  const storage = openStorage(dir, env)
  const all = await listBackups(dir, now, env)
  const protectedId = all.find((b) => b.status === 'verified')?.id
  const deleted: string[] = []
  const kept: string[] = []
  all.forEach((b, index) => {
    const tooMany = opts.keep !== undefined && index >= opts.keep
    const tooOld = opts.maxAgeDays !== undefined && b.ageMs > opts.maxAgeDays * 86_400_000
    if ((tooMany || tooOld) && b.id !== protectedId) deleted.push(b.id)
    else kept.push(b.id)
  })
  if (!opts.dryRun) {
    for (const b of all.filter((x) => deleted.includes(x.id))) {
      const names = [...(b.path ? [b.path] : []), b.manifestPath, sealPathFor(b.manifestPath)].map(locationName)
      for (const name of names) await storage.remove(name)
    }
    for (const name of await storage.list().catch(() => [] as string[])) {
      if (!name.endsWith('.partial') || (partialWriter(name) !== null && processAlive(partialWriter(name)!))) continue
      const info = await storage.stat(name).catch(() => null)
      if (info && now - info.modifiedMs > 86_400_000) await storage.remove(name)
    }
  }
  return { deleted, kept }
}
