/**
 * Cuts a table's data part (as mariadb-dump / mysqldump write it: LOCK TABLES, DISABLE KEYS,
 * extended INSERTs, ENABLE KEYS, UNLOCK TABLES) into chunks of whole statements that several
 * sessions can load into the same table at once. Pure: bytes in, chunks out.
 *
 * A chunk ends where a statement ends and the next INSERT begins (";\nINSERT "): rows never hold a
 * raw line break (the dump tool escapes them), whether it writes a statement on one line
 * (mysqldump) or a row per line (mariadb-dump). The table lock and the key switches are left out:
 * a session holding `LOCK TABLES … WRITE` would keep every other session out of the table, and
 * DISABLE/ENABLE KEYS only speed up MyISAM.
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

/**
 * The part of `text` a concurrent load runs, as a slice of it (no copy of the rows): without the
 * lock and key lines before the first statement and after the last. Rows lie between them, one
 * per line in MariaDB's dumps: they are never looked at one by one.
 */
export function statementLines(text: Buffer): Buffer[] {
  let start = 0
  while (start < text.length) {
    const newline = text.indexOf(0x0a, start)
    const end = newline === -1 ? text.length : newline + 1
    if (!skipped(text, start, end)) break
    start = end
  }
  let end = text.length
  while (end > start) {
    const lineStart = text.lastIndexOf(0x0a, end - 2) + 1
    if (!skipped(text, Math.max(lineStart, start), end)) break
    end = Math.max(lineStart, start)
  }
  return end > start ? [text.subarray(start, end)] : []
}

/** A lock, key switch, comment or blank line; a statement or a row is known at its first byte. */
function skipped(text: Buffer, start: number, end: number): boolean {
  const first = text[start]
  if (first === 0x28 /* ( */ || first === 0x49 /* I */) return false
  const line = text.subarray(start, Math.min(end, start + 512)).toString('latin1').replace(/\r?\n$/, '')
  return SKIPPED.some((re) => re.test(line))
}

const STATEMENT_BOUNDARY = Buffer.from(';\nINSERT ')

function nonEmpty(chunks: Buffer[][]): Buffer[][] {
  return chunks.filter((c) => c.length > 0)
}
