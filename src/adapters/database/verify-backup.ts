import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { findBackup } from './catalog.js'
import { closeQuietly, openConnection } from './connect.js'
import type { DumpSection } from './dump-layout.js'
import { DumpScanner, type ScanResult } from './dump-scanner.js'
import { dumpObjectCounts } from './create-backup.js'
import { DatabaseError } from './errors.js'
import { checksumTables, countObjects, listTables, showCreateTable } from './inventory.js'
import { recordVerification, type BackupManifest, type VerificationResult } from './manifest.js'
import type { ProgressListener } from './progress.js'
import { backupFilePath, checkFile, keyFor, openDump } from './read-backup.js'
import { framesCover } from './frame-runs.js'
import { createScratch, dropScratch, replayIntoScratch } from './scratch.js'
import { normalizeDefinition } from './sql-rewrite.js'
import { detectServer } from './tools.js'
import { parseMysqlUrl } from './url.js'

export interface VerifyOptions {
  /** Backup id, path of its file or manifest, or "latest". */
  backup: string
  /** Folder to look the id up in. */
  dir?: string
  level: 'quick' | 'full'
  /** Server for the scratch schema of a full verification (default: the one the backup came from is unknown to us, so this is required for full). */
  url?: string
  env?: NodeJS.ProcessEnv
  /** A full verification's sessions loading rows at once (default: one per core, 2–4, once the rows pass 64 MiB). */
  sessions?: number
  signal?: AbortSignal
  onProgress?: ProgressListener
  log?: (line: string) => void
}

export interface VerifyOutcome extends VerificationResult {
  id: string
  manifestPath: string
  manifest: BackupManifest
  /** Name of the scratch schema a full verification restored into (dropped again). */
  scratch?: string
}

/**
 * Checks a backup and writes the result into its manifest. quick: the file's SHA-256, a complete
 * decompression, the "-- Dump completed" trailer, and every table and object the manifest lists
 * at the byte ranges it gives; for a backup whose frames were decompressed and checked as it was
 * written, the SHA-256 alone. full: the same while restoring the dump into a scratch schema on
 * the server, then per-table checksums, definitions and object counts against the manifest; the
 * scratch schema is dropped afterwards. A failure marks the backup invalid for good.
 */
export async function verifyBackup(opts: VerifyOptions): Promise<VerifyOutcome> {
  const started = performance.now()
  const { manifest, manifestPath } = await findBackup(opts.backup, opts.dir, opts.env)
  const file = backupFilePath(manifestPath, manifest)
  const problems: string[] = []
  let scratch: string | undefined
  let key: Buffer | null = null
  // Frames decompressed as they were written (framed-compress.ts): the file equal to its hash is
  // the file that was proven, and decompressing it again would prove nothing more.
  const hashOnly = opts.level === 'quick' && manifest.layout.framesChecked === true && framesCover(manifest.layout.frames, manifest.dumpBytes)
  try {
    key = keyFor(manifest, opts.env)
    // The file against its recorded size and hash first: a changed file needs no further reading.
    problems.push(...(await checkFile(file, manifest, key, opts.env)))
    if (problems.length) {
      // recorded below
    } else if (opts.level === 'full') {
      if (!opts.url) throw new DatabaseError('URL', 'a full verification needs the database URL (its server holds the scratch schema)')
      scratch = await fullCheck(opts.url, manifest, file, key, problems, opts)
    } else if (!hashOnly) {
      await quickCheck(manifest, file, key, problems, opts)
    }
  } catch (error) {
    if (error instanceof DatabaseError && (error.reason === 'KEY' || error.reason === 'TOOL_MISSING' || error.reason === 'URL' || error.reason === 'ABORTED' || error.reason === 'CONNECT' || error.reason === 'AUTH' || error.reason === 'PRIVILEGE')) {
      // Not a fault of the backup: nothing is recorded, the caller sees why it could not be checked.
      throw error
    }
    problems.push((error as Error).message)
  }
  const result: VerificationResult = {
    level: opts.level,
    ok: problems.length === 0,
    at: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    problems,
    ...(hashOnly ? { hashOnly } : {}),
  }
  const updated = await recordVerification(manifestPath, result, key, opts.env)
  opts.log?.(`${manifest.id}: ${opts.level} verification ${result.ok ? 'passed' : `failed: ${problems.join('; ')}`}`)
  return { ...result, id: manifest.id, manifestPath, manifest: updated, ...(scratch ? { scratch } : {}) }
}

/** Reads the whole file once: hash, decompression, trailer, layout. */
async function quickCheck(manifest: BackupManifest, file: string, key: Buffer | null, problems: string[], opts: VerifyOptions): Promise<void> {
  const reader = await openDump(file, manifest, key, opts.env)
  const scanner = new DumpScanner()
  const tablesTotal = manifest.tables.length
  let tablesDone = 0
  scanner.onSection((s) => {
    if (s.kind === 'table') tablesDone++
  })
  const onAbort = () => reader.stop()
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const sink = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _e, done) {
        scanner.push(chunk)
        opts.onProgress?.({ stage: 'verify', tablesDone, tablesTotal, bytesDone: scanner.bytes, bytesTotal: manifest.dumpBytes })
        done()
      },
    })
    const [piped, read] = await Promise.allSettled([pipeline(reader.dump, sink), reader.done])
    if (opts.signal?.aborted) throw new DatabaseError('ABORTED', 'the verification was stopped before it finished')
    if (read.status === 'rejected') {
      problems.push(`the file does not read back: ${(read.reason as Error).message}`)
      return
    }
    if (piped.status === 'rejected') throw piped.reason
    compareLayout(manifest, scanner.finish(), problems)
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
  }
}

function compareFile(manifest: BackupManifest, read: { sha256: string; fileBytes: number }, problems: string[]): void {
  if (read.fileBytes !== manifest.sizeBytes) problems.push(`the file is ${read.fileBytes} bytes, the manifest says ${manifest.sizeBytes}`)
  if (read.sha256 !== manifest.sha256) problems.push(`the file's SHA-256 is ${read.sha256}, the manifest says ${manifest.sha256}`)
}

function compareLayout(manifest: BackupManifest, scan: ScanResult, problems: string[]): void {
  if (scan.totalBytes !== manifest.dumpBytes) problems.push(`the dump is ${scan.totalBytes} bytes uncompressed, the manifest says ${manifest.dumpBytes}`)
  if (!scan.completed) problems.push('the dump does not end with "-- Dump completed"')
  const found = new Map(scan.sections.filter((s) => s.kind === 'table').map((s) => [s.name, s]))
  for (const table of manifest.tables) {
    const s = found.get(table.name)
    if (!s) problems.push(`table ${table.name} is not in the dump`)
    else if (s.start !== table.range.start || s.end !== table.range.end) problems.push(`table ${table.name} is at bytes ${s.start}–${s.end} of the dump, the manifest says ${table.range.start}–${table.range.end}`)
  }
  const same = (a: DumpSection, b: DumpSection) => a.kind === b.kind && a.name === b.name && a.start === b.start && a.end === b.end
  if (scan.sections.length !== manifest.layout.sections.length || scan.sections.some((s, i) => !same(s, manifest.layout.sections[i]!))) {
    if (!problems.some((p) => p.startsWith('table '))) problems.push('the dump\'s sections are not where the manifest says')
  }
  const counts = dumpObjectCounts(scan)
  for (const kind of ['views', 'triggers', 'routines', 'events'] as const) {
    if (counts[kind] !== manifest.objects[kind]) problems.push(`the dump has ${counts[kind]} ${kind}, the manifest says ${manifest.objects[kind]}`)
  }
}

/** Restores into a scratch schema while reading the file once, then compares. Returns the scratch name. */
async function fullCheck(url: string, manifest: BackupManifest, file: string, key: Buffer | null, problems: string[], opts: VerifyOptions): Promise<string> {
  const server = parseMysqlUrl(url)
  const scratch = `${manifest.database.slice(0, 40)}_verify_${randomBytes(4).toString('hex')}`
  const admin = await openConnection(server, { noDatabase: true })
  try {
    const info = await detectServer(admin)
    await createScratch(admin, scratch, manifest, 'grant CREATE and DROP on `<database>_verify_%` schemas, or use verify: quick')
    try {
      const scanner = new DumpScanner()
      const replayed = await replayIntoScratch({
        server, info, admin, scratch, manifest, file, key, rows: true, stage: 'verify', readToEnd: true,
        ...(opts.env ? { env: opts.env } : {}),
        tap: (chunk) => scanner.push(chunk),
        ...(opts.sessions !== undefined ? { sessions: opts.sessions } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      }).catch((error: unknown) => {
        if (error instanceof DatabaseError && error.reason === 'ABORTED') throw error
        problems.push(`the dump does not restore: ${(error as Error).message}`)
        return null
      })
      if (!replayed) return scratch
      if (replayed.file) compareFile(manifest, replayed.file, problems)
      else problems.push('the restore into the scratch schema did not read the file to its end')
      compareLayout(manifest, scanner.finish(), problems)
      await compareDatabase(server, scratch, manifest, problems, opts)
    } finally {
      await dropScratch(admin, scratch).catch(() => {})
    }
    return scratch
  } finally {
    await closeQuietly(admin)
  }
}

/** Tables, definitions, checksums and object counts of a restored copy against the manifest. */
export async function compareDatabase(server: ReturnType<typeof parseMysqlUrl>, database: string, manifest: BackupManifest, problems: string[], opts: { onProgress?: ProgressListener; signal?: AbortSignal }): Promise<void> {
  const conns = await Promise.all([openConnection(server, { noDatabase: true }), openConnection(server, { noDatabase: true })])
  try {
    const live = await listTables(conns[0], database)
    const liveNames = new Set(live.map((t) => t.name))
    for (const t of manifest.tables) if (!liveNames.has(t.name)) problems.push(`table ${t.name} was not restored`)
    for (const t of live) if (!manifest.tables.some((m) => m.name === t.name)) problems.push(`table ${t.name} is not in the manifest`)
    const present = manifest.tables.filter((t) => liveNames.has(t.name))
    for (const t of present) {
      const def = await showCreateTable(conns[0], database, t.name)
      if (normalizeDefinition(def) !== normalizeDefinition(t.definition)) problems.push(`table ${t.name} restores with another definition than the manifest's`)
    }
    let done = 0
    const sums = await checksumTables(conns, database, present.map((t) => t.name), (table) => {
      opts.onProgress?.({ stage: 'proof', tablesDone: ++done, tablesTotal: present.length, bytesDone: 0, bytesTotal: null, table })
    })
    for (const t of present) {
      const sum = sums.get(t.name)
      if (t.checksum !== null && sum !== t.checksum) problems.push(`table ${t.name} restores with checksum ${sum}, the manifest says ${t.checksum}`)
    }
    const objects = await countObjects(conns[0], database)
    for (const kind of ['views', 'triggers', 'routines', 'events'] as const) {
      if (objects[kind] !== manifest.objects[kind]) problems.push(`${objects[kind]} ${kind} restored, the manifest says ${manifest.objects[kind]}`)
    }
  } finally {
    await Promise.all(conns.map(closeQuietly))
  }
}
