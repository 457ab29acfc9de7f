/** Where a long database operation is, for a progress line with an ETA. */
export interface DatabaseProgress {
  stage: 'dump' | 'checksum' | 'verify' | 'compare' | 'restore' | 'proof'
  tablesDone: number
  tablesTotal: number
  bytesDone: number
  /** Exact when replaying or verifying; an estimate (size on disk) while dumping; null when unknown. */
  bytesTotal: number | null
  /** The table being worked on. */
  table?: string
}

export type ProgressListener = (progress: DatabaseProgress) => void

/** Calls the listener at most every `everyBytes`, and always when the table count changes. */
export function throttledProgress(listener: ProgressListener | undefined, everyBytes = 4 * 1024 * 1024): ProgressListener {
  let lastBytes = -Infinity
  let lastTables = -1
  let lastStage = ''
  return (p) => {
    if (!listener) return
    if (p.stage !== lastStage || p.tablesDone !== lastTables || p.bytesDone - lastBytes >= everyBytes || p.bytesDone === p.bytesTotal) {
      lastStage = p.stage
      lastTables = p.tablesDone
      lastBytes = p.bytesDone
      listener(p)
    }
  }
}
