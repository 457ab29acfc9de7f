import type { Writable } from 'node:stream'
import type { ByteRange } from './dump-layout.js'
import { compressStage, type Stage } from './stages.js'
import type { Compressor } from './tools.js'

/** One independently compressed frame: where its bytes lie in the dump and in the compressed file. */
export interface Frame {
  dump: ByteRange
  file: ByteRange
}

/** Uncompressed bytes per frame: a restore that needs one table decompresses at most this much before it. */
export const FRAME_BYTES = 16 * 1024 * 1024

/**
 * Compresses the dump as a series of independent frames, each cut at the end of a line once it
 * holds `frameBytes`: concatenated, they are one ordinary .zst (or .gz) file that `zstd -d` reads
 * whole, and a reader that knows the frames starts at any of them (read-backup.ts). A line is a
 * statement or part of one; a frame's first byte is always a line's first byte.
 */
export function framedCompression(compressor: Compressor, frameBytes = FRAME_BYTES) {
  const frames: Frame[] = []
  let current: Stage | null = null

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
    for (;;) {
      const first = await next()
      if (!first) return
      carry = first
      const stage = compressStage(compressor)
      current = stage
      const start = dumpAt
      // Feeds this frame while its output is passed on below; stops at the first line end past frameBytes.
      const feeding = (async () => {
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
        dumpAt += inFrame
      })()
      feeding.catch(() => stage.kill())
      let written = 0
      for await (const out of stage.output as AsyncIterable<Buffer>) {
        written += out.length
        yield out
      }
      await feeding
      await stage.done
      frames.push({ dump: { start, end: dumpAt }, file: { start: fileAt, end: fileAt + written } })
      fileAt += written
    }
  }

  return {
    /** A transform for stream.pipeline: dump bytes in, compressed frames out. */
    compress,
    /** The frames written so far; complete once `compress` has ended. */
    frames: () => frames,
    /** Stops the frame's compressor at once (another stage failed, or the backup was stopped). */
    kill: () => current?.kill(),
  }
}

function write(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()))
  })
}
