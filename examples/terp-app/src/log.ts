import { appendFileSync } from 'node:fs'

export type Level = 'info' | 'warn' | 'error'
export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void

/**
 * JSON lines, one object each: {"time", "level", "msg", …fields}. To LOG_FILE when set (appended
 * synchronously, so a crash loses no line), else to stdout.
 */
export function createLogger(file: string | undefined): Logger {
  return (level, msg, fields = {}) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n'
    if (file) appendFileSync(file, line, { mode: 0o600 })
    else process.stdout.write(line)
  }
}
