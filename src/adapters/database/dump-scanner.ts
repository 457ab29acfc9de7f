import type { ByteRange, DumpLayout, DumpSection, SectionKind } from './dump-layout.js'

const SECTION_START = Buffer.from('\n--\n-- ')
const UNLOCK = Buffer.from('\nUNLOCK TABLES;\n')
// With --tz-utc (always passed) the dump's closing settings start with this line.
const FOOTER = Buffer.from('\n/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;\n')
const TRAILER = '-- Dump completed'
const ROW_START = 0x28 // (
const INSERT_START = 0x49 // I
const VALUES_LINE_END = Buffer.from(' VALUES')
// A section title line is short; matches closer than this to the end of what has arrived wait for more.
const LOOKAHEAD = 2048
const MAX_CAPTURE = 64 * 1024 * 1024

const TITLES: { re: RegExp; kind: SectionKind | 'data' }[] = [
  { re: /^-- Table structure for table `(.*)`$/, kind: 'table' },
  { re: /^-- Dumping data for table `(.*)`$/, kind: 'data' },
  { re: /^-- Temporary (?:table|view) structure for view `(.*)`$/, kind: 'view-standin' },
  { re: /^-- Final view structure for view `(.*)`$/, kind: 'view' },
  { re: /^-- Dumping events for database '(.*)'$/, kind: 'events' },
  { re: /^-- Dumping routines for database '(.*)'$/, kind: 'routines' },
]

/** A section as the scanner builds it, with its statements (not its rows) kept as text. */
export interface ScannedSection extends DumpSection {
  /** The section's bytes outside its data part, as text: CREATE statements, triggers, routines. */
  text: string
  /** true when the text was too long to keep. */
  textTruncated: boolean
  /**
   * Rows in the data part, counted as they pass: MariaDB's dump writes `INSERT INTO t VALUES` on a
   * line of its own and then one row per line. Null when a statement kept rows on its own line
   * (MySQL's mysqldump writes a statement per line) or the table has no data part: count them.
   */
  rows: number | null
}

export interface ScanResult extends Omit<DumpLayout, 'sections'> {
  sections: ScannedSection[]
}

/**
 * Finds the sections of a mariadb-dump / mysqldump stream as it passes, in one pass, without
 * splitting it into lines: rows never contain a raw line break (the tool escapes them), so the
 * markers below only occur where the tool wrote them, and Buffer.indexOf finds them at memory speed.
 */
export class DumpScanner {
  private carry: Buffer = Buffer.alloc(0)
  private carryStart = 0
  private scannedTo = 0
  private total = 0
  private inData = false
  private current: (ScannedSection & { chunks: Buffer[]; captured: number }) | null = null
  private headerEnd: number | null = null
  private footerStart: number | null = null
  private captureFrom: number | null = null
  private tail = ''
  private readonly sections: ScannedSection[] = []
  private sectionListeners: ((section: DumpSection) => void)[] = []

  /** Called when a section starts: the first call proves the dump tool has begun its transaction. */
  onSection(listener: (section: DumpSection) => void): void {
    this.sectionListeners.push(listener)
  }

  get bytes(): number {
    return this.total
  }

  /** Name of the table whose part is passing now, for progress. */
  get currentTable(): string | null {
    return this.current?.kind === 'table' ? this.current.name : null
  }

  push(chunk: Buffer): void {
    this.total += chunk.length
    this.tail = (this.tail + chunk.subarray(Math.max(0, chunk.length - 256)).toString('latin1')).slice(-256)
    const window = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk
    this.scan(window, this.carryStart, this.total - LOOKAHEAD)
  }

  finish(): ScanResult {
    const window = this.carry
    this.scan(window, this.carryStart, this.total)
    this.closeSection(this.footerStart ?? this.total)
    const header: ByteRange = { start: 0, end: this.headerEnd ?? this.footerStart ?? this.total }
    const footer: ByteRange = this.footerStart === null ? { start: this.total, end: this.total } : { start: this.footerStart, end: this.total }
    const lastLine = this.tail.replace(/\n+$/, '').split('\n').pop() ?? ''
    return { header, sections: this.sections, footer, totalBytes: this.total, completed: lastLine.startsWith(TRAILER) }
  }

  /** Handles every marker starting in [scannedTo, until); keeps what follows for the next chunk. */
  private scan(window: Buffer, windowStart: number, until: number): void {
    const limit = until - windowStart
    const from = this.scannedTo - windowStart
    if (limit > from) {
      const hits: { at: number; kind: 'section' | 'unlock' | 'footer' }[] = []
      collect(window, SECTION_START, from, limit, (at) => hits.push({ at, kind: 'section' }))
      collect(window, UNLOCK, from, limit, (at) => hits.push({ at, kind: 'unlock' }))
      collect(window, FOOTER, from, limit, (at) => hits.push({ at, kind: 'footer' }))
      hits.sort((a, b) => a.at - b.at)
      let rowsFrom = from
      for (const hit of hits) {
        this.countRows(window, rowsFrom, hit.at)
        this.handle(window, windowStart, hit.at, hit.kind)
        rowsFrom = hit.at
      }
      this.countRows(window, rowsFrom, limit)
      this.scannedTo = until
    }
    // Keep the text of the section so far; what remains in the window is seen again next time.
    const keepFrom = Math.max(this.scannedTo, windowStart)
    if (this.captureFrom !== null && keepFrom > this.captureFrom) {
      this.capture(window.subarray(this.captureFrom - windowStart, keepFrom - windowStart))
      this.captureFrom = keepFrom
    }
    this.carry = Buffer.from(window.subarray(keepFrom - windowStart))
    this.carryStart = keepFrom
  }

  /**
   * Counts the row lines of a data part whose line breaks lie in [from, to) of the window. Rows
   * are 0 from the data part's start, and null for good once a statement keeps rows on its line.
   */
  private countRows(window: Buffer, from: number, to: number): void {
    const section = this.current
    if (!this.inData || typeof section?.rows !== 'number') return
    let rows = 0
    for (let at = window.indexOf(0x0a, from); at !== -1 && at < to; at = window.indexOf(0x0a, at + 1)) {
      const first = window[at + 1]
      if (first === ROW_START) rows++
      else if (first === INSERT_START && !endsWithValues(window, at + 1)) {
        section.rows = null
        return
      }
    }
    section.rows += rows
  }

  private handle(window: Buffer, windowStart: number, at: number, kind: 'section' | 'unlock' | 'footer'): void {
    const abs = windowStart + at + 1 // the marker's line starts after its leading \n
    if (kind === 'unlock') {
      if (this.inData && this.current?.data) {
        const end = windowStart + at + UNLOCK.length
        this.current.data.end = end
        this.inData = false
        this.captureFrom = end
      }
      return
    }
    if (kind === 'footer') {
      if (this.inData || this.footerStart !== null) return
      this.closeSectionAt(window, windowStart, abs)
      this.footerStart = abs
      return
    }
    if (this.footerStart !== null) return
    const titleStart = at + 4
    const lineEnd = window.indexOf(0x0a, titleStart)
    const title = window.subarray(titleStart, lineEnd === -1 ? window.length : lineEnd).toString('utf8')
    const match = TITLES.map((t) => ({ t, m: t.re.exec(title) })).find((x) => x.m)
    if (!match) return
    const name = unquote(match.m![1]!, match.t.kind === 'events' || match.t.kind === 'routines' ? "'" : '`')
    if (match.t.kind === 'data') {
      if (this.current?.kind === 'table' && !this.inData) {
        this.flushCapture(window, windowStart, abs)
        this.captureFrom = null
        this.current.data = { start: abs, end: abs }
        this.current.rows = 0
        this.inData = true
      }
      return
    }
    if (this.inData) return
    this.closeSectionAt(window, windowStart, abs)
    if (this.headerEnd === null) this.headerEnd = abs
    this.current = { kind: match.t.kind, name, start: abs, end: abs, data: null, text: '', textTruncated: false, rows: null, chunks: [], captured: 0 }
    this.captureFrom = abs
    for (const listener of this.sectionListeners) listener(this.current)
  }

  private closeSectionAt(window: Buffer, windowStart: number, end: number): void {
    this.flushCapture(window, windowStart, end)
    this.closeSection(end)
  }

  private flushCapture(window: Buffer, windowStart: number, end: number): void {
    if (this.captureFrom !== null && end > this.captureFrom) {
      this.capture(window.subarray(this.captureFrom - windowStart, end - windowStart))
    }
    this.captureFrom = end
  }

  private closeSection(end: number): void {
    const section = this.current
    if (!section) return
    if (this.inData && section.data) {
      // The dump stopped inside the rows: the data part runs to the end and is incomplete.
      section.data.end = end
      this.inData = false
    }
    section.end = end
    const { chunks, captured: _c, ...rest } = section
    this.sections.push({ ...rest, text: Buffer.concat(chunks).toString('utf8') })
    this.current = null
    this.captureFrom = null
  }

  private capture(bytes: Buffer): void {
    const section = this.current
    if (!section || section.textTruncated) return
    if (section.captured + bytes.length > MAX_CAPTURE) {
      section.textTruncated = true
      section.chunks = []
      return
    }
    section.chunks.push(Buffer.from(bytes))
    section.captured += bytes.length
  }
}

/** The INSERT line starting at `at` ends in VALUES, its rows on the lines below (MariaDB's form). */
function endsWithValues(window: Buffer, at: number): boolean {
  const end = window.indexOf(0x0a, at)
  return end !== -1 && end - at < LOOKAHEAD && window.subarray(end - VALUES_LINE_END.length, end).equals(VALUES_LINE_END)
}

function collect(window: Buffer, needle: Buffer, from: number, limit: number, found: (at: number) => void): void {
  let at = window.indexOf(needle, Math.max(0, from))
  while (at !== -1 && at < limit) {
    found(at)
    at = window.indexOf(needle, at + 1)
  }
}

function unquote(text: string, quote: string): string {
  return text.split(quote + quote).join(quote)
}

/** Scans a whole dump held in memory (tests, small dumps). */
export function scanDump(dump: Buffer | string): ScanResult {
  const scanner = new DumpScanner()
  scanner.push(typeof dump === 'string' ? Buffer.from(dump) : dump)
  return scanner.finish()
}
