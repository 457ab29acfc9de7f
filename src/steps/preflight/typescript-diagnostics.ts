import path from 'node:path'

/** One diagnostic as tsc prints it. */
export interface TscDiagnostic {
  /** Relative to the folder tsc ran in, with forward slashes; '' for a diagnostic about no file. */
  file: string
  line?: number
  column?: number
  category: 'error' | 'warning' | 'message'
  code: string
  /** The headline: the first line of the message, which is what identifies the error. */
  message: string
  /** Indented lines that follow (the rest of a message chain). */
  detail?: string
}

const PLAIN = /^(.+?)\((\d+),(\d+)\): (error|warning|message) (TS\d+): (.*)$/
const PRETTY = /^(.+?):(\d+):(\d+) - (error|warning|message) (TS\d+): (.*)$/
const GLOBAL = /^(error|warning|message) (TS\d+): (.*)$/
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g

/**
 * Reads tsc's output in either style: `file(l,c): error TSxxxx: message` (--pretty false, and what
 * tsc prints when not on a terminal) or `file:l:c - error TSxxxx: message` (--pretty), colours or not.
 */
export function parseTscOutput(output: string, cwd?: string): TscDiagnostic[] {
  const lines = output.replace(ANSI, '').split(/\r?\n/)
  const found: TscDiagnostic[] = []
  let last: TscDiagnostic | undefined
  for (const line of lines) {
    const m = PLAIN.exec(line) ?? PRETTY.exec(line)
    if (m) {
      last = {
        file: normaliseFile(m[1]!, cwd),
        line: Number(m[2]),
        column: Number(m[3]),
        category: m[4] as TscDiagnostic['category'],
        code: m[5]!,
        message: m[6]!.trim(),
      }
      found.push(last)
      continue
    }
    const g = GLOBAL.exec(line)
    if (g) {
      last = { file: '', category: g[1] as TscDiagnostic['category'], code: g[2]!, message: g[3]!.trim() }
      found.push(last)
      continue
    }
    // A message chain continues on indented lines; a blank line (before a --pretty code frame) ends it.
    if (last && /^\s+\S/.test(line)) {
      last.detail = last.detail ? `${last.detail}\n${line.trim()}` : line.trim()
      continue
    }
    last = undefined
  }
  return found
}

export function errorsOnly(diagnostics: TscDiagnostic[]): TscDiagnostic[] {
  return diagnostics.filter((d) => d.category === 'error')
}

/** What makes two errors the same error: the line may move, the file, code and message do not. */
export function identityKey(d: { file: string; code: string; message: string }): string {
  return `${d.file}\u0000${d.code}\u0000${d.message}`
}

export function formatDiagnostic(d: TscDiagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `(${d.line},${d.column})` : ''}: ` : ''
  return `${where}${d.code} ${d.message}`
}

function normaliseFile(file: string, cwd?: string): string {
  let f = file.trim()
  if (cwd && path.isAbsolute(f)) {
    const rel = path.relative(cwd, f)
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) f = rel
  }
  return f.replace(/\\/g, '/').replace(/^\.\//, '')
}
