import { joinLocation, locationName, parentLocation } from '../storage/location.js'
import { openReadAt, statAt } from '../storage/files.js'
import { PassThrough, Writable, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DatabaseError } from './errors.js'
import { decryptStream, loadKey } from './encryption.js'
import type { BackupManifest } from './manifest.js'
import { decompressStage, type Stage } from './stages.js'
import { findExecutable } from './tools.js'
import { hashTap } from './hash-tap.js'
import { MAGIC_BYTES, compressionProblem } from './compression-magic.js'
import type { FrameRun } from './frame-runs.js'

export interface DumpReader {
  /** The uncompressed dump. */
  dump: Readable
  /** Settles once the file is read, decrypted and decompressed to the end, with the file's SHA-256. */
  done: Promise<{ sha256: string; fileBytes: number }>
  /** Stops reading (a differential restore that has what it needs). */
  stop(): void
}

/** The key for an encrypted backup, from the variable its manifest names; checked against the manifest. */
export function keyFor(manifest: BackupManifest, env: NodeJS.ProcessEnv = process.env): Buffer | null {
  if (!manifest.encryption) return null
  const { key, info } = loadKey(manifest.encryption.keyEnv, env)
  if (info.keyId !== manifest.encryption.keyId) {
    throw new DatabaseError('KEY', `the key in ${manifest.encryption.keyEnv} is not the one backup ${manifest.id} was encrypted with`)
  }
  return key
}

export function backupFilePath(manifestPath: string, manifest: BackupManifest): string {
  return joinLocation(parentLocation(manifestPath), locationName(manifest.file))
}

/** The backup file (or a part: inclusive byte offsets) as a stream, from a local folder or object storage; NOT_FOUND when it is gone. */
async function readBackupFile(file: string, env: NodeJS.ProcessEnv, range?: { start: number; end: number }) {
  return openReadAt(file, env, range).catch((error: unknown) => {
    throw new DatabaseError('NOT_FOUND', `backup file ${file} is missing (${(error as Error).message})`, undefined, { cause: error })
  })
}

/**
 * Reads a backup file: hashes what is stored, decrypts when encrypted, decompresses. With `run`,
 * only those frames of an unencrypted file (frame-runs.ts): the dump stream then starts at
 * `run.dump.start`, and the hash is of those bytes alone.
 */
export async function openDump(file: string, manifest: BackupManifest, key: Buffer | null, env: NodeJS.ProcessEnv = process.env, run?: FrameRun): Promise<DumpReader> {
  if (run && key) throw new DatabaseError('INVALID_BACKUP', 'an encrypted backup is read from its start')
  const source = await readBackupFile(file, env, run ? { start: run.file.start, end: run.file.end - 1 } : undefined)
  const tap = hashTap()
  const decompress: Stage = decompressStage(manifest.compression, manifest.compression === 'zstd' ? await findExecutable('zstd') : null)
  const out = new PassThrough({ highWaterMark: 1 << 20 })
  let stopped = false
  const feeding = pipeline([source, tap.stream, ...(key ? [decryptStream(key)] : []), decompress.input])
  const draining = pipeline(decompress.output, out)
  const done = Promise.all([feeding, draining, decompress.done]).then(
    () => ({ sha256: tap.sha256(), fileBytes: tap.bytes() }),
    (error) => {
      decompress.kill()
      source.destroy()
      if (stopped) return { sha256: '', fileBytes: tap.bytes() }
      throw error instanceof DatabaseError ? error : new DatabaseError('INVALID_BACKUP', `reading ${locationName(file)} failed: ${(error as Error).message}`, undefined, { cause: error })
    },
  )
  return {
    dump: out,
    done,
    stop() {
      stopped = true
      source.destroy()
      decompress.kill()
      out.destroy()
    },
  }
}

/**
 * SHA-256 of a file, for an encrypted one whether its tag authenticates, and whether its body is
 * compressed as the manifest says: before a restore changes anything.
 */
export async function checkFile(file: string, manifest: BackupManifest, key: Buffer | null, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const problems: string[] = []
  const info = await statAt(file, env)
  if (!info) return [`backup file ${locationName(file)} is missing`]
  if (info.size !== manifest.sizeBytes) problems.push(`backup file is ${info.size} bytes, the manifest says ${manifest.sizeBytes}`)
  const tap = hashTap()
  let head = Buffer.alloc(0)
  const sink = new Writable({
    write: (chunk: Buffer, _e, done) => {
      if (head.length < MAGIC_BYTES) head = Buffer.concat([head, chunk.subarray(0, MAGIC_BYTES - head.length)])
      done()
    },
  })
  try {
    const source = await readBackupFile(file, env)
    if (key) await pipeline(source, tap.stream, decryptStream(key), sink)
    else await pipeline(source, tap.stream, sink)
  } catch (error) {
    problems.push((error as Error).message)
    return problems
  }
  const sha = tap.sha256()
  if (sha !== manifest.sha256) problems.push(`backup file SHA-256 is ${sha}, the manifest says ${manifest.sha256}`)
  const wrongCompression = compressionProblem(head, manifest.compression)
  if (wrongCompression) problems.push(wrongCompression)
  return problems
}
