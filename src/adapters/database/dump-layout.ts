/**
 * Where each part of a dump lies, in bytes of the uncompressed dump. Pure data, stored in the
 * manifest; a differential restore replays only some of these ranges.
 */
export interface ByteRange {
  start: number
  end: number
}

export type SectionKind = 'table' | 'view-standin' | 'view' | 'events' | 'routines'

export interface DumpSection extends ByteRange {
  kind: SectionKind
  /** Table or view name; for events and routines, the database the dump tool named. */
  name: string
  /**
   * For tables: the data part (the "Dumping data" comment through UNLOCK TABLES). Bytes before it
   * are the table's structure, bytes after it its triggers. Null when the dump has no data part.
   */
  data: ByteRange | null
}

export interface DumpLayout {
  /** Session settings the dump starts with; every partial replay starts with them too. */
  header: ByteRange
  /** In dump order. */
  sections: DumpSection[]
  /** Restores the session settings; empty when not found. */
  footer: ByteRange
  totalBytes: number
  /** The dump ends with "-- Dump completed": the tool got to its end. */
  completed: boolean
}

/** The ranges of a section that are SQL statements rather than row data: small, and safe to rewrite. */
export function nonDataRanges(section: DumpSection): ByteRange[] {
  if (!section.data) return [{ start: section.start, end: section.end }]
  return [
    { start: section.start, end: section.data.start },
    { start: section.data.end, end: section.end },
  ].filter((r) => r.end > r.start)
}

/** The trigger part of a table section (after its data), or null. */
export function triggerRange(section: DumpSection): ByteRange | null {
  if (section.kind !== 'table' || !section.data || section.data.end >= section.end) return null
  return { start: section.data.end, end: section.end }
}
