import type { BackupManifest } from './manifest.js'
import { openDump, type DumpReader } from './read-backup.js'
import { frameRuns, framesCover, type FrameRun } from './frame-runs.js'
import { slicePieces, type PiecePart, type ReplayPiece } from './replay-plan.js'

/** A backup file to take pieces from. */
export interface DumpSource {
  /** A local path or `s3://…`. */
  file: string
  manifest: BackupManifest
  key: Buffer | null
  env?: NodeJS.ProcessEnv
}

/** How much of the file a replay reads beyond its pieces. */
export interface WholeRead {
  /** Reads the whole file, to the end: the result then has its hash (a verification, a rehearsal). */
  readToEnd?: boolean
  /** Sees every byte of the dump, in order (a verification scans it); reads the whole file. */
  tap?: (chunk: Buffer) => void
}

/** The whole-read options of `opts` alone, to pass on. */
export function wholeRead(opts: WholeRead): WholeRead {
  return { ...(opts.readToEnd ? { readToEnd: true } : {}), ...(opts.tap ? { tap: opts.tap } : {}) }
}

export interface PieceReader {
  /** The pieces' bytes in dump order, as they are read. */
  parts: AsyncIterable<PiecePart>
  /**
   * Once `parts` has ended: the bytes of the file read, and for a whole read its SHA-256. Rejects
   * as `parts` failed; a read cut short by its consumer gives what it had read.
   */
  done: Promise<{ fileBytesRead: number; file?: { sha256: string; fileBytes: number } }>
  stop(): void
}

/**
 * Reads the pieces of a backup. A framed, unencrypted file is entered at the frames that hold
 * them, one range read per run of frames (frame-runs.ts); otherwise, or to read the whole file
 * (`readToEnd`, `tap`), the file is read from its start, and then to its end. A failed read's own
 * error (a damaged file, a missing object) is the one `parts` throws.
 */
export function readPieces(source: DumpSource, pieces: readonly ReplayPiece[], opts: WholeRead = {}): PieceReader {
  const { manifest } = source
  const whole = Boolean(opts.readToEnd || opts.tap)
  const runs = !source.key && !whole && framesCover(manifest.layout.frames, manifest.dumpBytes) ? frameRuns(manifest.layout.frames, pieces) : null
  const readers: DumpReader[] = []
  let fileBytesRead = 0
  let settle!: { resolve: (v: Awaited<PieceReader['done']>) => void; reject: (e: unknown) => void }
  const done = new Promise<Awaited<PieceReader['done']>>((resolve, reject) => (settle = { resolve, reject }))
  // Awaited where it matters; a consumer that stops early must not leave it unhandled.
  done.catch(() => {})
  const stop = () => readers.forEach((r) => r.stop())

  /** One read from `base` (0, or a run's first byte): the pieces in it, then what it read. */
  async function* readFrom(run: FrameRun | undefined, inRead: readonly ReplayPiece[]) {
    const reader = await openDump(source.file, manifest, source.key, source.env, run)
    reader.done.catch(() => {})
    readers.push(reader)
    const dump = opts.tap ? tapped(reader.dump, opts.tap) : reader.dump
    try {
      yield* slicePieces(dump, inRead, { drain: whole, stop: () => reader.stop() }, run?.dump.start ?? 0)
    } catch (error) {
      // The read's own failure says more than the stream it broke off.
      await reader.done
      throw error
    }
    return await reader.done
  }

  async function* parts(): AsyncGenerator<PiecePart> {
    let finished = false
    try {
      if (!runs) {
        const read = yield* readFrom(undefined, pieces)
        fileBytesRead = read.fileBytes
        settle.resolve({ fileBytesRead, ...(whole ? { file: read } : {}) })
      } else {
        for (const run of runs) {
          const inRun = pieces.filter((p) => p.start >= run.dump.start && p.end <= run.dump.end)
          fileBytesRead += (yield* readFrom(run, inRun)).fileBytes
        }
        settle.resolve({ fileBytesRead })
      }
      finished = true
    } catch (error) {
      settle.reject(error)
      throw error
    } finally {
      if (!finished) {
        stop()
        settle.resolve({ fileBytesRead })
      }
    }
  }

  return { parts: parts(), done, stop }
}

async function* tapped(source: AsyncIterable<Buffer>, fn: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    fn(chunk)
    yield chunk
  }
}
