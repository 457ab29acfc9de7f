/**
 * Cuts a table's data part (as mariadb-dump / mysqldump write it: LOCK TABLES, DISABLE KEYS, one
 * extended INSERT per line, ENABLE KEYS, UNLOCK TABLES) into chunks of whole statements that
 * several sessions can load into the same table at once. Pure: bytes in, chunks out.
 *
 * Rows never hold a raw line break (the dump tool escapes them), so every line is one statement.
 * The table lock and the key switches are left out: a session holding `LOCK TABLES … WRITE` would
 * keep every other session out of the table, and DISABLE/ENABLE KEYS only speed up MyISAM. Every
 * other line is kept as it is.
 */
export class RowChunker {
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Where in `pending` the last statement boundary seen ends (0: none). */
  private lastCut = 0
  /** The end of what has arrived, for a boundary split between two pushes. */
  private tail: Buffer = Buffer.alloc(0)

  constructor(private readonly chunkBytes: number) {}

  /** The chunks completed by these bytes (each about chunkBytes, ending where a statement does). */
  push(bytes: Buffer): Buffer[][] {
    if (!bytes.length) return []
    // Cut only where one statement has ended and the next INSERT begins: a raw line break inside
    // a statement (a tool that wraps rows) is never taken for its end. Only the new bytes are
    // searched, so one huge statement costs no repeated scans.
    const window = Buffer.concat([this.tail, bytes])
    const at = window.lastIndexOf(STATEMENT_BOUNDARY)
    if (at !== -1) this.lastCut = this.pendingBytes - this.tail.length + at + 2
    this.tail = Buffer.from(window.subarray(Math.max(0, window.length - STATEMENT_BOUNDARY.length)))
    this.pending.push(bytes)
    this.pendingBytes += bytes.length
    if (this.pendingBytes < this.chunkBytes || this.lastCut === 0) return []
    const joined = Buffer.concat(this.pending)
    const rest = joined.subarray(this.lastCut)
    const chunk = statementLines(joined.subarray(0, this.lastCut))
    this.pending = rest.length ? [rest] : []
    this.pendingBytes = rest.length
    this.lastCut = 0
    return nonEmpty([chunk])
  }

  /** What is left once the data part has ended. */
  end(): Buffer[][] {
    const last = Buffer.concat(this.pending)
    this.pending = []
    this.pendingBytes = 0
    this.lastCut = 0
    this.tail = Buffer.alloc(0)
    return nonEmpty([statementLines(last)])
  }
}

const SKIPPED = [/^LOCK TABLES /, /^UNLOCK TABLES;/, /^\/\*!40000 ALTER TABLE .* (?:DIS|EN)ABLE KEYS \*\/;$/, /^--/, /^$/]

/** The lines of `text` a concurrent load runs, as slices of it (no copy of the rows). */
export function statementLines(text: Buffer): Buffer[] {
  const kept: { start: number; end: number }[] = []
  let start = 0
  while (start < text.length) {
    const newline = text.indexOf(0x0a, start)
    const end = newline === -1 ? text.length : newline + 1
    // An INSERT line is most of the bytes: known at its first letters, without decoding it.
    const skip = !startsWithInsert(text, start) && SKIPPED.some((re) => re.test(text.subarray(start, Math.min(end, start + 512)).toString('latin1').replace(/\r?\n$/, '')))
    const previous = kept[kept.length - 1]
    if (skip) {
      // nothing kept
    } else if (previous && previous.end === start) previous.end = end // adjacent lines stay one slice
    else kept.push({ start, end })
    start = end
  }
  return kept.map((r) => text.subarray(r.start, r.end))
}

const INSERT = Buffer.from('INSERT ')
const STATEMENT_BOUNDARY = Buffer.from(';\nINSERT ')

function startsWithInsert(text: Buffer, at: number): boolean {
  return text.length - at >= INSERT.length && text.compare(INSERT, 0, INSERT.length, at, at + INSERT.length) === 0
}

function nonEmpty(chunks: Buffer[][]): Buffer[][] {
  return chunks.filter((c) => c.length > 0)
}
