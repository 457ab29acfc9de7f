const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses '500ms', '90s', '30m', '24h', '14d' (or a plain number of milliseconds). Null when malformed. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value)
  if (!match) return null
  return Math.round(Number(match[1]) * UNITS[match[2]!]!)
}

export function formatDuration(ms: number): string {
  // Each unit is rounded before it is split, so 119.7 s reads "2m", never "1m 60s".
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`
  const tenths = Math.round(ms / 100)
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`
  const totalSeconds = Math.round(ms / 1000)
  if (totalSeconds < 3600) {
    const seconds = totalSeconds % 60
    return `${Math.floor(totalSeconds / 60)}m${seconds ? ` ${seconds}s` : ''}`
  }
  const totalMinutes = Math.round(ms / 60_000)
  const minutes = totalMinutes % 60
  return `${Math.floor(totalMinutes / 60)}h${minutes ? ` ${minutes}m` : ''}`
}
