import type { Readable, Writable } from 'node:stream'
import type { ByteRange } from './dump-layout.js'
import { DatabaseError } from './errors.js'
import { compressStage, decompressStage, type Stage } from './stages.js'
import type { Compressor } from './tools.js'

/** One independently compressed frame: where its bytes lie in the dump and in the compressed file. */
export interface Frame {
  dump: ByteRange
  file: ByteRange
}

/**
 * Uncompressed bytes per frame: a restore that needs one table decompresses at most this much
 * before it. Each frame is one compressor process, and a process costs tens of milliseconds more
 * than the same bytes in a longer frame (measured with zstd 1.5 on this project's bench): 64 MiB
 * keeps that near 1 % of a backup.
 */
export const FRAME_BYTES = 64 * 1024 * 1024

/**
 * Compresses the dump as a series of independent frames, each cut at the end of a line once it
 * holds `frameBytes`: concatenated, they are one ordinary .zst (or .gz) file that `zstd -d` reads
 * whole, and a reader that knows the frames starts at any of them (read-backup.ts). A line is a
 * statement or part of one; a frame's first byte is always a line's first byte.
 *
 * Each frame is also decompressed as it is written, on another process: the backup fails unless
 * it gives back as many bytes as were given to it, checked by the format's own checksum of them
 * (zstd's content checksum, gzip's CRC-32). A quick verification then needs only the file's hash.
 */
export function framedCompression(compressor: Compressor, frameBytes = FRAME_BYTES) {
  const frames: Frame[] = []
  const live = new Set<Stage>()

  async function* compress(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const input = source[Symbol.asyncIterator]()
    let carry: Buffer | null = null
    const next = async (): Promise<Buffer | null> => {
      if (carry) {
        const chunk = carry
        carry = null
        return chunk
      }
      const { value, done } = await input.next()
      return done ? null : (value as Buffer)
    }
    let dumpAt = 0
    let fileAt = 0

    /** Feeds a frame its lines, up to the first line end past frameBytes; the frame's dump range. */
    const feed = async (stage: Stage): Promise<ByteRange> => {
      const start = dumpAt
      let inFrame = 0
      try {
        for (;;) {
          const chunk = await next()
          if (!chunk) break
          const cutFrom = frameBytes - inFrame - 1
          const newline = cutFrom < chunk.length ? chunk.indexOf(0x0a, Math.max(0, cutFrom)) : -1
          if (newline !== -1) {
            const head = chunk.subarray(0, newline + 1)
            if (newline + 1 < chunk.length) carry = chunk.subarray(newline + 1)
            await write(stage.input, head)
            inFrame += head.length
            break
          }
          await write(stage.input, chunk)
          inFrame += chunk.length
        }
      } finally {
        stage.input.end()
      }
      dumpAt = start + inFrame
      return { start, end: dumpAt }
    }
    const startFrame = async (): Promise<{ stage: Stage; output: AsyncIterable<Buffer>; fed: Promise<ByteRange>; check: Stage; restored: Promise<number> } | null> => {
      const first = await next()
      if (!first) return null
      carry = first
      const stage = compressStage(compressor)
      const check = decompressStage(compressor.kind, compressor.path ?? null)
      live.add(stage).add(check)
      // Awaited in turn; a compressor killed after another stage failed must not go unhandled.
      stage.done.catch(() => {})
      // Read at once, whatever frame is being passed on: a compressor never waits for its turn.
      const output = collect(stage.output)
      const restored = countBytes(check)
      restored.catch(() => {})
      const fed = feed(stage)
      fed.catch(() => stage.kill())
      return { stage, output, fed, check, restored }
    }

    try {
      let frame = await startFrame()
      while (frame) {
        // The next frame is fed as soon as this one has all its lines, while this one finishes:
        // two compressors work at once, and the dump never waits between frames.
        const following = frame.fed.then(startFrame)
        following.catch(() => {})
        let written = 0
        for await (const out of frame.output) {
          written += out.length
          await write(frame.check.input, out)
          yield out
        }
        frame.check.input.end()
        const dump = await frame.fed
        await frame.stage.done
        const restored = await frame.restored.catch((error: Error) => {
          throw new DatabaseError('DUMP_FAILED', `frame ${frames.length + 1} of the backup does not decompress: ${error.message}`, undefined, { cause: error })
        })
        if (restored !== dump.end - dump.start) {
          throw new DatabaseError('DUMP_FAILED', `frame ${frames.length + 1} of the backup decompresses to ${restored} bytes, ${dump.end - dump.start} were given to the compressor`)
        }
        live.delete(frame.stage)
        live.delete(frame.check)
        frames.push({ dump, file: { start: fileAt, end: fileAt + written } })
        fileAt += written
        frame = await following
      }
    } finally {
      for (const stage of live) stage.kill()
    }
  }

  return {
    /** A transform for stream.pipeline: dump bytes in, compressed frames out. */
    compress,
    /** The frames written so far; complete once `compress` has ended. */
    frames: () => frames,
    /** Stops the compressors at once (another stage failed, or the backup was stopped). */
    kill: () => {
      for (const stage of live) stage.kill()
    },
  }
}

/** A stream's data as it comes, kept until asked for: the stream is read without waiting. */
function collect(stream: Readable): AsyncIterable<Buffer> {
  const chunks: Buffer[] = []
  let ended = false
  let failure: unknown = null
  let wake: (() => void) | null = null
  const notify = () => {
    wake?.()
    wake = null
  }
  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    notify()
  })
  stream.on('end', () => {
    ended = true
    notify()
  })
  stream.on('error', (error) => {
    failure = error
    notify()
  })
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (chunks.length) yield chunks.shift()!
        if (failure) throw failure
        if (ended) return
        await new Promise<void>((resolve) => (wake = resolve))
      }
    },
  }
}

/** Bytes a stage gives out until it has finished; rejects with the stage's failure. */
async function countBytes(stage: Stage): Promise<number> {
  let bytes = 0
  for await (const chunk of stage.output) bytes += (chunk as Buffer).length
  await stage.done
  return bytes
}

function write(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()))
  })
}
