import { joinLocation, locationName } from '../storage/location.js'
import { readTextAt, writeTextAt } from '../storage/files.js'
import type { ByteRange, DumpSection } from './dump-layout.js'
import type { EncryptionInfo } from './encryption.js'
import type { Frame } from './framed-compress.js'
import type { Flavor } from './tools.js'
import type { BinlogPosition } from './binlog-changes.js'
import { DatabaseError } from './errors.js'
import { checkSeal, readSeal, sealFor, sealPathFor, writeSeal, type SealStatus } from './manifest-seal.js'

export const MANIFEST_SUFFIX = '.manifest.json'

export interface TableEntry {
  name: string
  engine: string | null
  rows: number
  /** CHECKSUM TABLE of the data in the dump; null when the server could not compute one. */
  checksum: number | null
  /** CREATE TABLE exactly as dumped. */
  definition: string
  triggers: number
  /** The table's part of the uncompressed dump: structure, rows (`data`), triggers. */
  range: ByteRange
  data: ByteRange | null
  /**
   * true when the checksum was taken in the dump's own snapshot. Non-transactional tables
   * (MyISAM, Aria) have no snapshot: written during the backup, their checksum may differ.
   */
  snapshot: boolean
}

export interface ObjectCounts {
  views: number
  triggers: number
  routines: number
  events: number
}

export interface VerificationResult {
  level: 'quick' | 'full'
  ok: boolean
  at: string
  durationMs: number
  /** Empty when ok. Each one sentence naming what is wrong. */
  problems: string[]
  /** A quick verification that read back the file's hash alone: its frames were checked as it was written. */
  hashOnly?: boolean
}

export interface BackupManifest {
  format: 1
  id: string
  /** The backup file's name, in the manifest's folder. */
  file: string
  database: string
  /** The database's default character set and collation (a restore that creates it uses them). */
  charset?: { characterSet: string; collation: string } | null
  createdAt: string
  durationMs: number
  server: { host: string; port: number; flavor: Flavor; version: string; versionString: string; versionComment: string }
  tool: { name: string; flavor: Flavor; version: string }
  compression: 'zstd' | 'gzip'
  encryption: EncryptionInfo | null
  /** Bytes of the backup file. */
  sizeBytes: number
  /** Bytes of the dump before compression. */
  dumpBytes: number
  /** SHA-256 of the backup file, hex. */
  sha256: string
  consistency: {
    /**
     * synchronised: checksums were taken in a snapshot opened under the same global read lock as
     * the dump's, so they describe exactly the dumped rows. separate: the account may not take that
     * lock; the checksums come from a snapshot of their own, taken just before the dump's.
     */
    checksums: 'synchronised' | 'separate'
    note?: string
  }
  /**
   * The snapshot's position in the server's binary log: a differential restore reads which tables
   * were written since from there instead of checksumming every table. Absent without a binary log.
   */
  binlog?: BinlogPosition | null
  /** Hash of the schema (tables, columns, indexes, routines…) when the fingerprint module is present. */
  schemaFingerprint: string | null
  tables: TableEntry[]
  objects: ObjectCounts
  /**
   * `frames`: the compressed file's independent frames (framed-compress.ts), so that a restore
   * starts reading at the one that holds the first byte it needs. Absent for encrypted backups and
   * for those written before frames: they are read from the start. `framesChecked`: each frame was
   * decompressed as it was written and gave back its bytes (its format's checksum and their count),
   * so a quick verification needs only the file's hash to prove the file whole.
   */
  layout: { header: ByteRange; footer: ByteRange; sections: DumpSection[]; frames?: Frame[]; framesChecked?: boolean }
  verifications: VerificationResult[]
}

export type BackupStatus = 'unverified' | 'verified' | 'invalid'

/** A backup is invalid once any verification failed; verified when one passed; the level is the best passed. */
export function backupStatus(m: Pick<BackupManifest, 'verifications'>): { status: BackupStatus; level: 'quick' | 'full' | null; problems: string[] } {
  const failed = m.verifications.filter((v) => !v.ok)
  if (failed.length) return { status: 'invalid', level: null, problems: failed.flatMap((v) => v.problems) }
  const passed = m.verifications.filter((v) => v.ok)
  if (!passed.length) return { status: 'unverified', level: null, problems: [] }
  return { status: 'verified', level: passed.some((v) => v.level === 'full') ? 'full' : 'quick', problems: [] }
}

export function manifestPathFor(dir: string, id: string): string {
  return joinLocation(dir, id + MANIFEST_SUFFIX)
}

/**
 * Reads a manifest and checks it against the seal recorded when rollout wrote it: a manifest that
 * was changed since is refused here, before anything trusts what it says.
 */
export async function readManifest(file: string, env: NodeJS.ProcessEnv = process.env): Promise<BackupManifest> {
  return (await readCheckedManifest(file, env)).manifest
}

/** readManifest, plus how far the manifest could be checked (`unsealed`: written before seals were recorded). */
export async function readCheckedManifest(file: string, env: NodeJS.ProcessEnv = process.env): Promise<{ manifest: BackupManifest; seal: SealStatus }> {
  const text = await readTextAt(file, env).catch((error: unknown) => {
    throw new DatabaseError('NOT_FOUND', `no backup manifest at ${file}: ${(error as Error).message}`, undefined, { cause: error })
  })
  if (text === null) throw new DatabaseError('NOT_FOUND', `no backup manifest at ${file}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new DatabaseError('INVALID_BACKUP', `the manifest ${file} is not valid JSON`, undefined, { cause: error })
  }
  const m = parsed as Partial<BackupManifest>
  if (m.format !== 1 || typeof m.id !== 'string' || typeof m.file !== 'string' || !Array.isArray(m.tables) || !Array.isArray(m.verifications) || !m.layout) {
    throw new DatabaseError('INVALID_BACKUP', `the manifest ${file} is not a rollout backup manifest (format 1)`)
  }
  const sealFile = sealPathFor(file)
  const check = checkSeal(text, await readSeal(sealFile, env), Boolean(m.encryption), env)
  if (check.problem) {
    throw new DatabaseError(
      'INVALID_BACKUP',
      `the manifest ${file} does not match what was recorded in ${locationName(sealFile)} when the backup was written (${check.problem}): it was changed since, and is not trusted`,
      'restore another backup (rollout backups lists them); this one can only be trusted again from a copy of its original manifest',
    )
  }
  return { manifest: m as BackupManifest, seal: check.status }
}

/**
 * Writes the manifest owner-only and atomically (a reader sees the old or the new one, never half),
 * then its seal: the manifest's SHA-256, and an HMAC with `key` when the backup is encrypted.
 * `seal: false` keeps a manifest from before seals unsealed: sealing it now would vouch for
 * content nobody checked.
 */
export async function writeManifest(file: string, manifest: BackupManifest, key: Buffer | null = null, opts: { seal?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  if (manifest.encryption && !key && opts.seal !== false) throw new DatabaseError('KEY', `the manifest of encrypted backup ${manifest.id} is sealed with its key, which was not given`)
  const text = JSON.stringify(manifest, null, 2) + '\n'
  const env = opts.env ?? process.env
  await writeTextAt(file, text, env)
  if (opts.seal === false) return
  const mac = manifest.encryption && key ? { key, keyEnv: manifest.encryption.keyEnv, keyId: manifest.encryption.keyId } : null
  await writeSeal(sealPathFor(file), sealFor(file, text, mac), env)
}

/** Adds a verification result to the manifest on disk (checked against its seal first). */
export async function recordVerification(file: string, result: VerificationResult, key: Buffer | null = null, env: NodeJS.ProcessEnv = process.env): Promise<BackupManifest> {
  const { manifest, seal } = await readCheckedManifest(file, env)
  manifest.verifications.push(result)
  await writeManifest(file, manifest, key, { seal: seal !== 'unsealed', env })
  return manifest
}
