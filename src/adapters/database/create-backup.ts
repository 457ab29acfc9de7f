import os from 'node:os'
import path from 'node:path'
import { Duplex, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { backupId, freeBackupId } from './catalog.js'
import { closeQuietly, openConnection } from './connect.js'
import { OPTION_FILE_PATH, openOptionFile } from './defaults-file.js'
import type { DumpSection } from './dump-layout.js'
import { DumpScanner, type ScannedSection, type ScanResult } from './dump-scanner.js'
import { encryptStream, loadKey, type EncryptionInfo } from './encryption.js'
import { DatabaseError } from './errors.js'
import { manifestPathFor, writeManifest, type BackupManifest, type ObjectCounts, type TableEntry } from './manifest.js'
import { throttledProgress, type ProgressListener } from './progress.js'
import { readFingerprintHash } from './schema-hash.js'
import { openSnapshot, type Snapshot } from './snapshot.js'
import { countEvents, countRoutines, countTriggers, extractCreateTable } from './sql-rewrite.js'
import { spawnStage, type Stage } from './stages.js'
import { FRAME_BYTES, framedCompression } from './framed-compress.js'
import { detectServer, dumpArguments, findDumpTool, pickCompressor, type ServerInfo } from './tools.js'
import { parseMysqlUrl, requireDatabase } from './url.js'
import { hashTap } from './hash-tap.js'
import { sweepPartials } from './partials.js'
import { joinLocation, locationName } from '../storage/location.js'
import { sealPathFor } from './manifest-seal.js'
import { openStorage } from '../storage/open-storage.js'
import { StorageError } from '../storage/errors.js'
import type { StorageWriter } from '../storage/storage.js'

export interface CreateBackupOptions {
  /** mysql://user:password@host:port/database */
  url: string
  /** Folder for the backup, created owner-only (0700); or `s3://bucket/prefix` in object storage. */
  dir: string
  signal?: AbortSignal
  onProgress?: ProgressListener
  /** Encrypts with AES-256-GCM using the key in this environment variable. */
  encryptionKeyEnv?: string
  /** Where the key variable and object storage's settings are read (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Appended to the id: backup_YYYYMMDD_HHMMSS_<suffix>. */
  suffix?: string
  compression?: 'auto' | 'zstd' | 'gzip'
  /** Uncompressed bytes per compressed frame (default 64 MiB): smaller, a restore of one table reads less and the backup costs more. */
  frameBytes?: number
  log?: (line: string) => void
  /** The clock, for the id and createdAt. */
  now?: () => Date
}

export interface CreatedBackup {
  id: string
  path: string
  manifestPath: string
  manifest: BackupManifest
  /** Partial files of earlier backups that were stopped part-way, removed before this one. */
  swept: string[]
}

/**
 * One consistent dump of the database, streamed through compression (and encryption) and a
 * SHA-256 into `<dir>/<id>.sql.zst`, committed only once every process in the pipeline exited 0
 * and the dump ended with its trailer (locally written as `.<pid>.partial` and renamed; in object
 * storage a multipart upload completed only then): a crash or a full disk never leaves a file that
 * looks like a backup. The manifest beside it describes every table.
 */
export async function createBackup(opts: CreateBackupOptions): Promise<CreatedBackup> {
  const started = performance.now()
  const log = opts.log ?? (() => {})
  const target = parseMysqlUrl(opts.url)
  const database = requireDatabase(target)
  const key = opts.encryptionKeyEnv ? loadKey(opts.encryptionKeyEnv, opts.env) : null

  const probe = await openConnection(target)
  let server: ServerInfo
  try {
    server = await detectServer(probe)
  } finally {
    await closeQuietly(probe)
  }
  const tool = await findDumpTool(server)
  const compressor = await pickCompressor(opts.compression)
  log(`server ${server.flavor} ${server.version}; dump tool ${path.basename(tool.path)} ${tool.flavor} ${tool.version}; ${compressor.kind}${key ? ' + aes-256-gcm' : ''}`)

  const env = opts.env ?? process.env
  const storage = openStorage(opts.dir, env)
  await storage.ensure().catch((error: unknown) => {
    throw asBackupError(error, opts.signal, storage.describe())
  })
  const swept = await sweepPartials(opts.dir, undefined, env)
  for (const name of swept) log(`removed ${name}: left by a backup that was stopped before it finished`)
  const createdAt = (opts.now ?? (() => new Date()))()
  const id = await freeBackupId(opts.dir, backupId(createdAt, opts.suffix), env)
  const fileName = id + compressor.extension + (key ? '.enc' : '')
  const finalPath = joinLocation(opts.dir, fileName)

  const progress = throttledProgress(opts.onProgress)
  const writer = await storage.openWrite(fileName).catch((error: unknown) => {
    throw asBackupError(error, opts.signal, storage.describe())
  })
  let result: Awaited<ReturnType<typeof dumpToFile>>
  try {
    result = await dumpToFile({ target, database, tool, compressor, frameBytes: opts.frameBytes ?? FRAME_BYTES, key: key?.key ?? null, writer, progress, signal: opts.signal, log })
  } catch (error) {
    await writer.abort()
    throw asBackupError(error, opts.signal, storage.describe())
  }

  const { scan, measured, snapshot, sha256, fileBytes, frames } = result
  const problems = checkDump(scan, snapshot)
  if (problems.length) {
    await writer.abort()
    throw new DatabaseError('DUMP_FAILED', `the dump is not complete: ${problems.join('; ')}`)
  }

  const fingerprint = await readFingerprintHash(target, database).catch(() => null)
  const manifest: BackupManifest = {
    format: 1,
    id,
    file: fileName,
    database,
    charset: snapshot.charset,
    createdAt: createdAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    server: { host: target.host, port: target.port, ...server },
    tool: { name: path.basename(tool.path), flavor: tool.flavor, version: tool.version },
    compression: compressor.kind,
    encryption: key ? (key.info satisfies EncryptionInfo) : null,
    sizeBytes: fileBytes,
    dumpBytes: scan.totalBytes,
    sha256,
    consistency: { checksums: snapshot.mode, ...(snapshot.note ? { note: snapshot.note } : {}) },
    binlog: snapshot.binlog,
    schemaFingerprint: fingerprint,
    tables: tableEntries(scan, snapshot, measured),
    objects: dumpObjectCounts(scan),
    layout: { header: scan.header, footer: scan.footer, sections: scan.sections.map(stripText), ...(frames ? { frames, framesChecked: true } : {}) },
    verifications: [],
  }
  const manifestPath = manifestPathFor(opts.dir, id)
  try {
    await writer.commit()
    await writeManifest(manifestPath, manifest, key?.key ?? null, { env })
  } catch (error) {
    // A file without its manifest (the disk filled up between them) is no backup: none is left to
    // take space or be mistaken for one.
    await writer.abort().catch(() => {})
    await Promise.all([finalPath, manifestPath, sealPathFor(manifestPath)].map((f) => storage.remove(locationName(f)).catch(() => {})))
    throw asBackupError(error, opts.signal, storage.describe())
  }
  log(`${fileName}: ${manifest.tables.length} tables, ${fileBytes} bytes (${scan.totalBytes} uncompressed) in ${manifest.durationMs} ms`)
  return { id, path: finalPath, manifestPath, manifest, swept }
}

interface DumpJob {
  target: ReturnType<typeof parseMysqlUrl>
  database: string
  tool: Awaited<ReturnType<typeof findDumpTool>>
  compressor: Awaited<ReturnType<typeof pickCompressor>>
  frameBytes: number
  key: Buffer | null
  writer: StorageWriter
  progress: ProgressListener
  signal?: AbortSignal
  log: (line: string) => void
}

async function dumpToFile(job: DumpJob) {
  job.signal?.throwIfAborted()
  let snapshot: Snapshot | undefined
  const stages: Stage[] = []
  // Starts no process until bytes arrive: made here so that every exit path can stop it.
  const compress = framedCompression(job.compressor, job.frameBytes)
  const killAll = () => {
    stages.forEach((s) => s.kill())
    compress.kill()
  }
  job.signal?.addEventListener('abort', killAll, { once: true })
  try {
    snapshot = await openSnapshot(job.target, job.database)
    if (snapshot.mode === 'separate') job.log(`checksums from a separate snapshot: ${snapshot.note}`)
    const bytesTotal = snapshot.tables.reduce((n, t) => n + t.approxBytes, 0)
    const tablesTotal = snapshot.tables.length

    const dump = spawnStage(job.tool.path.split('/').pop()!, job.tool.path, dumpArguments(job.tool, OPTION_FILE_PATH, job.database), 'DUMP_FAILED', 'ignore', openOptionFile(job.target))
    stages.push(dump)

    const scanner = new DumpScanner()
    let tablesDone = 0
    const sectionStarted = new Promise<void>((resolve) => {
      scanner.onSection((s: DumpSection) => {
        if (s.kind === 'table') tablesDone++
        resolve()
      })
    })
    const tap = new Transform({
      transform(chunk: Buffer, _e, done) {
        scanner.push(chunk)
        job.progress({ stage: 'dump', tablesDone: Math.max(0, tablesDone - 1), tablesTotal, bytesDone: scanner.bytes, bytesTotal, ...(scanner.currentTable ? { table: scanner.currentTable } : {}) })
        done(null, chunk)
      },
    })
    const file = hashTap()

    // The dump tool opens its transaction before it writes any table: once a section arrives (or
    // it has exited) writers may go on. Checksums then run in our snapshot alongside the dump.
    // A dump that fails early must not wait for every checksum to finish.
    const dumpFailed = new AbortController()
    dump.done.catch(() => dumpFailed.abort())
    const measureSignal = job.signal ? AbortSignal.any([job.signal, dumpFailed.signal]) : dumpFailed.signal
    const measuring = (async () => {
      const startedInTime = await Promise.race([
        sectionStarted.then(() => true),
        dump.done.then(() => true, () => true),
        new Promise<boolean>((resolve) => setTimeout(resolve, 60_000, false).unref()),
      ])
      await snapshot!.release()
      if (!startedInTime) job.log('the dump tool wrote nothing for 60 s; the read lock was released without it')
      return snapshot!.checksums((table, index) => job.progress({ stage: 'checksum', tablesDone: index + 1, tablesTotal, bytesDone: 0, bytesTotal: null, table }), measureSignal)
    })()

    const writing = pipeline([dump.output, tap, Duplex.from(compress.compress), ...(job.key ? [encryptStream(job.key)] : []), file.stream, job.writer.stream])
    writing.catch(() => dumpFailed.abort())
    const settled = await Promise.allSettled([writing, dump.done, measuring])
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error)
    if (failures.length) {
      killAll()
      // The most telling failure first: a process's own message or a full disk, not the broken pipe it caused.
      const pick = failures.find((f) => (f as NodeJS.ErrnoException).code === 'ENOSPC') ?? failures.find((f) => f instanceof DatabaseError) ?? failures[0]!
      throw pick
    }
    const checksums = (settled[2] as PromiseFulfilledResult<Map<string, number | null>>).value
    const scan = scanner.finish()
    const counted = await snapshot.countRows(scan.sections.filter((s) => s.kind === 'table' && s.rows === null).map((s) => s.name))
    const measured = { checksums, rows: (s: ScannedSection) => s.rows ?? counted.get(s.name) ?? 0 }
    // Encrypted, the file is one stream that cannot be entered part-way: its frames are not recorded.
    return { scan, measured, snapshot, sha256: file.sha256(), fileBytes: file.bytes(), frames: job.key ? null : compress.frames() }
  } finally {
    job.signal?.removeEventListener('abort', killAll)
    killAll()
    await snapshot?.close()
  }
}

/** What must hold for the dump to count: the tool got to its end and wrote what the snapshot saw. */
function checkDump(scan: ScanResult, snapshot: Snapshot): string[] {
  const problems: string[] = []
  if (!scan.completed) problems.push('it does not end with "-- Dump completed"')
  const dumped = new Set(scan.sections.filter((s) => s.kind === 'table').map((s) => s.name))
  const missing = snapshot.tables.filter((t) => !dumped.has(t.name)).map((t) => t.name)
  const extra = [...dumped].filter((name) => !snapshot.tables.some((t) => t.name === name))
  if (missing.length) problems.push(`tables missing from the dump: ${missing.join(', ')}`)
  if (extra.length) problems.push(`tables in the dump that were not there when it started: ${extra.join(', ')}`)
  for (const s of scan.sections) if (s.kind === 'table' && !extractCreateTable(s.text)) problems.push(`no CREATE TABLE for ${s.name}`)
  const counts = dumpObjectCounts(scan)
  for (const kind of ['views', 'triggers', 'routines', 'events'] as const) {
    if (counts[kind] !== snapshot.objects[kind]) problems.push(`the database has ${snapshot.objects[kind]} ${kind}, the dump ${counts[kind]}`)
  }
  return problems
}

export function dumpObjectCounts(scan: { sections: (DumpSection & { text: string })[] }): ObjectCounts {
  const text = (kind: DumpSection['kind']) => scan.sections.filter((s) => s.kind === kind).map((s) => s.text).join('\n')
  return {
    views: scan.sections.filter((s) => s.kind === 'view').length,
    triggers: countTriggers(text('table')),
    routines: countRoutines(text('routines')),
    events: countEvents(text('events')),
  }
}

function tableEntries(scan: ScanResult, snapshot: Snapshot, measured: { checksums: Map<string, number | null>; rows: (s: ScannedSection) => number }): TableEntry[] {
  return scan.sections
    .filter((s) => s.kind === 'table')
    .map((s) => {
      const live = snapshot.tables.find((t) => t.name === s.name)
      return {
        name: s.name,
        engine: live?.engine ?? null,
        rows: measured.rows(s),
        checksum: measured.checksums.get(s.name) ?? null,
        definition: extractCreateTable(s.text) ?? '',
        triggers: countTriggers(s.text),
        range: { start: s.start, end: s.end },
        data: s.data,
        snapshot: live?.transactional ?? false,
      }
    })
}

function stripText({ text: _t, textTruncated: _x, ...section }: DumpSection & { text?: string; textTruncated?: boolean }): DumpSection {
  return section
}

function asBackupError(error: unknown, signal: AbortSignal | undefined, dir: string): unknown {
  if (signal?.aborted) return new DatabaseError('ABORTED', 'the backup was stopped before it finished; nothing was kept')
  if (error instanceof DatabaseError) return error
  // Object storage's failures arrive worded already (the location, and what to check).
  if (error instanceof StorageError) {
    return new DatabaseError(error.reason === 'ACCESS' ? 'NOT_WRITABLE' : 'DUMP_FAILED', `the backup could not be stored: ${error.message}; nothing was kept`, error.hint, { cause: error })
  }
  const e = error as NodeJS.ErrnoException
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT') {
    return new DatabaseError('DISK_FULL', 'no space left for the backup file; nothing was kept', 'free space in the backup folder, or point backups.dir at a larger disk', { cause: error })
  }
  // A read-only mount or a folder of another user: said as such, not as a bare errno from open().
  if (e?.code === 'EROFS' || e?.code === 'EACCES' || e?.code === 'EPERM') {
    const why = e.code === 'EROFS' ? 'it is read-only' : 'permission denied'
    return new DatabaseError('NOT_WRITABLE', `cannot write to the backup folder ${dir}: ${why} (${e.code}); nothing was kept`, `make ${dir} writable for ${userName()}, or point backups.dir at a folder that is`, { cause: error })
  }
  return error
}

function userName(): string {
  try {
    return os.userInfo().username
  } catch {
    return 'this user'
  }
}
