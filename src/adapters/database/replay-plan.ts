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

/** A table's rows in the dump: the data part of its section. */
export interface RowsPart extends ByteRange {
  table: string
}

/**
 * The same replay as planReplay's, in three phases, for loading rows on several connections at
 * once: `structure` (every replayed table's and view stand-in's statements before its rows),
 * `rows` (the data parts, any order), then `after` (triggers, views, routines, events: in dump
 * order, once every row is in, as the dump itself places triggers after the rows they must not
 * fire on). Each phase starts with the dump's session settings.
 */
export function planPhases(manifest: Pick<BackupManifest, 'layout'>, tables: ReadonlySet<string> | null): { structure: ReplayPiece[]; rows: RowsPart[]; after: ReplayPiece[] } {
  const { layout } = manifest
  const header: ReplayPiece = { ...layout.header, rewrite: true }
  const footer: ReplayPiece[] = layout.footer.end > layout.footer.start ? [{ ...layout.footer, rewrite: true }] : []
  const structure: ReplayPiece[] = [header]
  const rows: RowsPart[] = []
  const after: ReplayPiece[] = [header]
  for (const section of layout.sections) {
    const replayed = section.kind !== 'table' || !tables || tables.has(section.name)
    const triggers = triggerRange(section)
    if (section.kind === 'table' && replayed) {
      if (!section.data) structure.push({ start: section.start, end: section.end, rewrite: true })
      else {
        structure.push({ start: section.start, end: section.data.start, rewrite: true })
        rows.push({ ...section.data, table: section.name })
      }
    } else if (section.kind === 'view-standin') structure.push({ start: section.start, end: section.end, rewrite: true })
    else if (section.kind !== 'table') after.push({ start: section.start, end: section.end, rewrite: true })
    if (section.kind === 'table' && triggers) after.push({ ...triggers, rewrite: true })
  }
  return { structure: merge([...structure, ...footer].filter((p) => p.end > p.start)), rows: rows.filter((r) => r.end > r.start), after: merge([...after, ...footer].filter((p) => p.end > p.start)) }
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

/** One piece's bytes as they arrive; `last` when this part ends the piece. */
export interface PiecePart {
  piece: ReplayPiece
  part: Buffer
  last: boolean
}

/**
 * Cuts the pieces out of the dump as it streams past, in order, without copying. Ends as soon as
 * the last piece is out (stopping the source first, so that its end does not look like a
 * failure), or reads on to the end with `drain`.
 */
export async function* slicePieces(source: AsyncIterable<Buffer>, pieces: readonly ReplayPiece[], end: { drain: boolean; stop?: () => void } = { drain: false }, base = 0): AsyncGenerator<PiecePart> {
  let pos = base
  let i = 0
  for await (const chunk of source) {
    const chunkEnd = pos + chunk.length
    while (i < pieces.length && pieces[i]!.start < chunkEnd) {
      const piece = pieces[i]!
      const from = Math.max(piece.start, pos)
      const to = Math.min(piece.end, chunkEnd)
      const last = piece.end <= chunkEnd
      if (to > from || last) yield { piece, part: chunk.subarray(Math.max(0, from - pos), Math.max(0, to - pos)), last }
      if (!last) break
      i++
    }
    pos = chunkEnd
    if (i >= pieces.length && !end.drain) {
      end.stop?.()
      return
    }
  }
  if (i >= pieces.length) return
  throw new Error(`the dump ended at byte ${pos}, before the part the manifest places at ${pieces[i]!.start}–${pieces[i]!.end}`)
}

/**
 * The pieces' bytes as they are to be sent: statement pieces gathered whole and rewritten as text,
 * row data passed through untouched.
 */
export async function* selectPieces(
  parts: AsyncIterable<PiecePart>,
  rewrite: ((sql: string) => string) | null,
  progress?: { bytes(n: number): void; finished(piece: ReplayPiece): void },
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []
  for await (const { piece, part, last } of parts) {
    if (part.length) {
      if (piece.rewrite && rewrite) pending.push(Buffer.from(part))
      else yield part
      progress?.bytes(part.length)
    }
    if (!last) continue
    if (piece.rewrite && rewrite) {
      yield Buffer.from(rewrite(Buffer.concat(pending).toString('utf8')), 'utf8')
      pending = []
    }
    progress?.finished(piece)
  }
}
