/** Colours only on a terminal that wants them (NO_COLOR, FORCE_COLOR respected). */
export function colorsEnabled(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true
  return stream.isTTY === true
}

export interface Style {
  green(s: string): string
  red(s: string): string
  yellow(s: string): string
  dim(s: string): string
  bold(s: string): string
  cyan(s: string): string
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s)
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22), cyan: wrap(36, 39) }
}

const SYMBOLS: Record<string, string> = {
  passed: '✓', failed: '✗', warning: '!', skipped: '-', cancelled: '✗', 'rolled-back': '↺', 'rollback-failed': '✗', 'rolling-back': '↺', running: '…', pending: ' ', abandoned: '⊘',
}

export function statusSymbol(status: string, style: Style): string {
  const symbol = SYMBOLS[status] ?? '?'
  if (status === 'passed' || status === 'rolled-back') return style.green(symbol)
  if (status === 'warning' || status === 'skipped' || status === 'abandoned') return style.yellow(symbol)
  if (status === 'running' || status === 'pending' || status === 'rolling-back') return style.cyan(symbol)
  return style.red(symbol)
}
