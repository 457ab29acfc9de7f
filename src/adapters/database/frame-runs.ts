import type { ByteRange } from './dump-layout.js'
import type { Frame } from './framed-compress.js'

/** Consecutive frames read with one request: where they lie in the dump and in the file. */
export type FrameRun = Frame

/**
 * The frames that hold the given ranges of the dump (sorted, not overlapping), joined into runs
 * of consecutive frames: a restore reads and decompresses these and nothing before or between.
 */
export function frameRuns(frames: readonly Frame[], ranges: readonly ByteRange[]): FrameRun[] {
  const runs: { first: number; last: number }[] = []
  let from = 0
  for (const range of ranges) {
    if (range.end <= range.start) continue
    while (from < frames.length && frames[from]!.dump.end <= range.start) from++
    let to = from
    while (to + 1 < frames.length && frames[to + 1]!.dump.start < range.end) to++
    if (from >= frames.length || frames[to]!.dump.end < range.end) throw new Error(`the dump's frames end at byte ${frames[frames.length - 1]?.dump.end ?? 0}, before the part at ${range.start}–${range.end}`)
    const previous = runs[runs.length - 1]
    if (previous && from <= previous.last + 1) previous.last = Math.max(previous.last, to)
    else runs.push({ first: from, last: to })
  }
  return runs.map(({ first, last }) => ({
    dump: { start: frames[first]!.dump.start, end: frames[last]!.dump.end },
    file: { start: frames[first]!.file.start, end: frames[last]!.file.end },
  }))
}

/** Frames that cover the dump from its first byte to its last without a gap: safe to seek in. */
export function framesCover(frames: readonly Frame[] | undefined, dumpBytes: number): frames is Frame[] {
  if (!frames?.length || frames[0]!.dump.start !== 0 || frames[0]!.file.start !== 0) return false
  for (let i = 1; i < frames.length; i++) {
    if (frames[i]!.dump.start !== frames[i - 1]!.dump.end || frames[i]!.file.start !== frames[i - 1]!.file.end) return false
  }
  return frames[frames.length - 1]!.dump.end === dumpBytes
}
