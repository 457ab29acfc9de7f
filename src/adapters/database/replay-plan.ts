import { nonDataRanges, triggerRange, type ByteRange, type DumpSection } from './dump-layout.js'
import type { BackupManifest } from './manifest.js'

/** A range of the dump to send to the client; statement ranges may be rewritten, row data never. */
export interface ReplayPiece extends ByteRange {
  rewrite: boolean
  /** The table whose part ends with this piece, for progress. */
  completesTable?: string
}

/**
 * What to replay. `tables` null: everything (a full restore). Otherwise the parts of those
 * tables, the triggers of all other tables (dropped beforehand, so a migration's new trigger goes
 * and a dropped one comes back), and every view, routine and event. In dump order, because that
 * order is what makes it work: view stand-ins before the views that read them, tables before
 * their triggers. `rows: false` leaves out the data part of every table but those `rowsOf` names
 * (compared in lower case): the schema alone, with a migration tool's own history, as a migration
 * rehearsal copies it.
 */
export function planReplay(manifest: Pick<BackupManifest, 'layout'>, tables: ReadonlySet<string> | null, opts: { rows?: boolean; rowsOf?: ReadonlySet<string> } = {}): ReplayPiece[] {
  const rowsOf = (name: string) => opts.rows !== false || (opts.rowsOf?.has(name.toLowerCase()) ?? false)
  const { layout } = manifest
  const pieces: ReplayPiece[] = [{ ...layout.header, rewrite: true }]
  for (const section of layout.sections) {
    if (section.kind === 'table' && tables && !tables.has(section.name)) {
      const triggers = triggerRange(section)
      if (triggers) pieces.push({ ...triggers, rewrite: true })
      continue
    }
    pieces.push(...sectionPieces(section, rowsOf(section.name)))
  }
  if (layout.footer.end > layout.footer.start) pieces.push({ ...layout.footer, rewrite: true })
  return merge(pieces.filter((p) => p.end > p.start))
}

function sectionPieces(section: DumpSection, rows: boolean): ReplayPiece[] {
  const completesTable = section.kind === 'table' ? section.name : undefined
  if (section.data && !rows) {
    const pieces: ReplayPiece[] = nonDataRanges(section).map((r) => ({ ...r, rewrite: true }))
    if (completesTable) pieces[pieces.length - 1]!.completesTable = completesTable
    return pieces
  }
  if (!section.data) return [{ start: section.start, end: section.end, rewrite: true, ...(completesTable ? { completesTable } : {}) }]
  const pieces: ReplayPiece[] = [
    ...nonDataRanges(section).filter((r) => r.end <= section.data!.start).map((r) => ({ ...r, rewrite: true })),
    { ...section.data, rewrite: false },
    ...nonDataRanges(section).filter((r) => r.start >= section.data!.end).map((r) => ({ ...r, rewrite: true })),
  ]
  const last = pieces[pieces.length - 1]!
  if (completesTable) last.completesTable = completesTable
  return pieces
}

/** Joins touching pieces of the same kind: fewer, larger writes. */
function merge(pieces: ReplayPiece[]): ReplayPiece[] {
  const out: ReplayPiece[] = []
  for (const piece of pieces) {
    const prev = out[out.length - 1]
    if (prev && prev.end === piece.start && prev.rewrite === piece.rewrite && !prev.completesTable) {
      prev.end = piece.end
      if (piece.completesTable) prev.completesTable = piece.completesTable
    } else out.push({ ...piece })
  }
  return out
}

export function replayBytes(pieces: ReplayPiece[]): number {
  return pieces.reduce((n, p) => n + p.end - p.start, 0)
}

/**
 * Takes the pieces out of the dump as it streams past. Statement pieces are gathered whole and
 * rewritten as text; row data goes through untouched. Ends as soon as the last piece is out.
 */
export async function* selectPieces(
  source: AsyncIterable<Buffer>,
  pieces: ReplayPiece[],
  rewrite: ((sql: string) => string) | null,
  progress?: { bytes(n: number): void; finished(piece: ReplayPiece): void },
  end: { drain: boolean; stop?: () => void } = { drain: false },
): AsyncGenerator<Buffer> {
  let pos = 0
  let i = 0
  let pending: Buffer[] = []
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const chunkEnd = pos + chunk.length
    while (i < pieces.length && pieces[i]!.start < chunkEnd) {
      const piece = pieces[i]!
      const from = Math.max(piece.start, pos)
      const to = Math.min(piece.end, chunkEnd)
      if (to > from) {
        const part = chunk.subarray(from - pos, to - pos)
        if (piece.rewrite && rewrite) pending.push(Buffer.from(part))
        else yield part
        progress?.bytes(to - from)
      }
      if (piece.end > chunkEnd) break
      if (piece.rewrite && rewrite) {
        yield Buffer.from(rewrite(Buffer.concat(pending).toString('utf8')), 'utf8')
        pending = []
      }
      progress?.finished(piece)
      i++
    }
    pos = chunkEnd
    if (i >= pieces.length && !end.drain) {
      // Stop the source before leaving the loop, so its end does not look like a failure.
      end.stop?.()
      return
    }
  }
  if (i >= pieces.length) return
  throw new Error(`the dump ended at byte ${pos}, before the part the manifest places at ${pieces[i]!.start}–${pieces[i]!.end}`)
}
